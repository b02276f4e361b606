package io.cairn.vixmntbridge.vmdk;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * ESXi snapshot chains built by the recipe {@code src/test/fixtures/esx-snapshot.py} (vmfsSparse
 * and seSparse children written from the formats' public descriptions, since no tool here creates
 * them), each fixture read back by {@code qemu-img convert} before a test uses it, so that a
 * fixture the recipe got wrong fails as such, not as a reader bug.
 */
final class EsxSnapshots {
    static final Path RECIPE = Path.of("src/test/fixtures/esx-snapshot.py").toAbsolutePath();

    private EsxSnapshots() {}

    /** A base disk {@code dir/name.vmdk} (createType vmfs) + {@code name-flat.vmdk} holding {@code raw}. */
    static Path base(Path dir, String name, Path raw) throws IOException {
        Path desc = dir.resolve(name + ".vmdk");
        Fixtures.run(dir, "python3", RECIPE.toString(), "base", raw.toString(), desc.toString());
        return desc;
    }

    /**
     * A child {@code dir/name.vmdk} of kind {@code vmfsSparse} or {@code seSparse} over
     * {@code parent} (whose content is {@code parentRaw}) holding {@code writes} ("OFFSET:LENGTH",
     * "OFFSET:LENGTH:zero", "OFFSET:LENGTH:unmap"); returns the raw image the child must read as,
     * {@code dir/name.expect}, after checking that qemu-img reads the child as exactly that.
     */
    static Path child(Path dir, String kind, Path parent, Path parentRaw, String name, int seed, String... writes)
            throws IOException {
        Path desc = dir.resolve(name + ".vmdk");
        Path expect = dir.resolve(name + ".expect");
        List<String> cmd = new ArrayList<>(List.of(
                "python3",
                RECIPE.toString(),
                "child",
                kind,
                parent.toString(),
                parentRaw.toString(),
                desc.toString(),
                expect.toString(),
                "--seed",
                Integer.toString(seed)));
        cmd.addAll(List.of(writes));
        Fixtures.run(dir, cmd.toArray(String[]::new));
        Path byQemu = dir.resolve(name + ".qemu.raw");
        Fixtures.run(dir, "qemu-img", "convert", "-f", "vmdk", "-O", "raw", desc.toString(), byQemu.toString());
        assertTrue(
                java.util.Arrays.equals(Files.readAllBytes(expect), Files.readAllBytes(byQemu)),
                "fixture check: qemu-img reads " + desc + " as the recipe says it should");
        Files.delete(byQemu);
        return expect;
    }
}
