package io.cairn.mount.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cairn.mount.image.FileImage;
import io.cairn.mount.image.Image;
import io.cairn.mount.tree.Dir;
import io.cairn.mount.tree.FileNode;
import io.cairn.mount.tree.Node;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** volumes/ without a kernel: FAT read by cairn itself, the rest listed with a reason. */
class GuestVolumeManagerTest {
    static Path fixtures;

    @BeforeAll
    static void build() throws Exception {
        fixtures = Path.of("target", "fixtures").toAbsolutePath();
        Process p = new ProcessBuilder(
                        "bash",
                        Path.of("src/test/fixtures/make-fixtures.sh")
                                .toAbsolutePath()
                                .toString(),
                        fixtures.toString())
                .redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            fail("make-fixtures.sh failed:\n" + log);
        }
    }

    @Test
    @DisplayName(
            "without a FUSE mount, the GPT disk shows its FAT32 volume as files and lists the ext4 one as unsupported")
    void gptWithoutMount() throws Exception {
        try (FileImage img = FileImage.open(fixtures.resolve("gpt.img"))) {
            LinkedHashMap<String, Image> disks = new LinkedHashMap<>();
            disks.put("gpt", img);
            List<Node> entries =
                    new GuestVolumeManager(null, GuestVolumeManager.Options.defaults(), m -> {}).entries("b", disks, 4);
            assertEquals(
                    List.of("gpt-p1", "UNSUPPORTED.txt"),
                    entries.stream().map(Node::name).toList());
            Dir fat = assertInstanceOf(Dir.class, entries.get(0));
            FileNode hello = (FileNode) fat.child("hello.txt");
            assertEquals(sha(fixtures.resolve("content/hello.txt")), sha(hello));
            FileNode big = (FileNode) ((Dir) fat.child("dir1")).child("random5M.bin");
            assertEquals(sha(fixtures.resolve("content/dir1/random5M.bin")), sha(big));
            FileNode cafe = (FileNode) ((Dir) fat.child("Ünïcödé dir")).child("naïve café.txt");
            assertEquals(sha(fixtures.resolve("content/Ünïcödé dir/naïve café.txt")), sha(cafe));
            String text = text((FileNode) entries.get(1));
            assertTrue(text.contains("gpt-p2: ext4 volumes are shown only through a FUSE mount"), text);
        }
    }

    @Test
    @DisplayName("a volume to mount becomes a relative link to .cairn/mnt/<key>, with its slice in .cairn/vol/<key>")
    void linkLayout() throws Exception {
        try (FileImage img = FileImage.open(fixtures.resolve("mbr-ntfs.img"))) {
            LinkedHashMap<String, Image> disks = new LinkedHashMap<>();
            disks.put("mbr-ntfs", img);
            GuestVolumeManager g =
                    new GuestVolumeManager(Path.of("/nonexistent"), GuestVolumeManager.Options.defaults(), m -> {});
            List<Node> entries = g.entries("vm-b1", disks, 4);
            assertEquals(
                    List.of("mbr-ntfs-p1"), entries.stream().map(Node::name).toList());
            assertEquals(
                    "../../../../.cairn/mnt/vm-b1-mbr-ntfs-p1", ((io.cairn.mount.tree.Link) entries.get(0)).target());
            List<Node> internals = g.internals();
            assertEquals(
                    List.of("mnt", "vol"), internals.stream().map(Node::name).toList());
            FileNode slice = (FileNode) ((Dir) internals.get(1)).child("vm-b1-mbr-ntfs-p1");
            assertEquals(200L * 1024 * 1024 - 1024 * 1024, slice.size());
            ByteBuffer boot = ByteBuffer.allocate(11);
            slice.read(0, boot);
            assertEquals("NTFS    ", new String(boot.array(), 3, 8, StandardCharsets.US_ASCII));
            // the sandboxed driver reads its volume file as the sandbox's group, and only that file
            assertEquals(io.cairn.mount.sandbox.Sandbox.GID, slice.readerGroup());
            assertEquals(-1, internals.get(0).readerGroup());
            g.unmountAll(); // removes the sandbox's files
        }
    }

    static String text(FileNode f) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) f.size());
        f.read(0, b);
        return new String(b.array(), StandardCharsets.UTF_8);
    }

    static String sha(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    static String sha(FileNode f) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        ByteBuffer b = ByteBuffer.allocate(100_000);
        long pos = 0;
        int n;
        while ((n = f.read(pos, b.clear())) > 0) {
            md.update(b.array(), 0, n);
            pos += n;
        }
        assertEquals(f.size(), pos);
        return HexFormat.of().formatHex(md.digest());
    }

    @SuppressWarnings("unused")
    private static List<String> names(List<Node> n) {
        List<String> out = new ArrayList<>();
        n.forEach(x -> out.add(x.name()));
        return out;
    }
}
