package io.cairn.mount.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox's walls, tried from inside with real programs, and a real driver (fuse2fs on an ext4
 * made by mkfs.ext4) serving a FUSE mount that cairn made. The volume lies in a directory private
 * to root, as cairn's own mount can be: the sandbox reads it through its descriptor only.
 */
class SandboxIT {
    @TempDir
    static Path dir;

    static Sandbox sandbox;
    static final List<String> log = new ArrayList<>();
    static Path volume;

    @BeforeAll
    static void open() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path content = Files.createDirectories(dir.resolve("content/sub"));
        Files.writeString(dir.resolve("content/hello.txt"), "Hello from a guest\n");
        Files.writeString(content.resolve("numbers.txt"), "1\n2\n3\n");
        volume = dir.resolve("ext4.img");
        exec("truncate", "-s", "16M", volume.toString());
        exec("mkfs.ext4", "-q", "-F", "-L", "SBX", "-d", dir.resolve("content").toString(), volume.toString());
        // what cairn's mount shows a driver: its volume readable by the sandbox's group, nothing more
        exec("chown", "0:" + Sandbox.GID, volume.toString());
        Files.setPosixFilePermissions(volume, PosixFilePermissions.fromString("r--r-----"));
        sandbox = Sandbox.open(log::add);
    }

    @AfterAll
    static void close() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    static String exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
        return out;
    }

    /** Runs a shell script in the sandbox with the test volume as /vol; its output. */
    static String inside(String script) throws Exception {
        Process p = sandbox.run(volume, List.of("/bin/sh", "-c", script));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the sandbox did not end");
        return out;
    }

    @Test
    @DisplayName("inside: uid and gid 65432, no groups, no capabilities, no new privileges, a seccomp filter")
    void identity() throws Exception {
        String out = inside(
                "id -u; id -g; id -G; grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status");
        List<String> l = out.lines().toList();
        assertEquals("65432", l.get(0), out);
        assertEquals("65432", l.get(1), out);
        assertEquals("65432", l.get(2), out);
        for (String cap : List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")) {
            assertTrue(out.contains(cap + ":\t0000000000000000"), cap + "\n" + out);
        }
        assertTrue(out.contains("NoNewPrivs:\t1"), out);
        assertTrue(out.contains("Seccomp:\t2"), out);
        assertTrue(sandbox.hasSeccompFilter());
    }

    @Test
    @DisplayName("inside: only /usr, /proc, /dev, /tmp, /vol, /mnt and a two-line /etc; nothing of the host's")
    void view() throws Exception {
        String out = inside(
                "ls -A /; echo ---; cat /etc/passwd /etc/group; echo ---; ls /root /home /var/lib 2>&1; echo ---; env");
        String[] parts = out.split("---\n");
        assertEquals(
                List.of("bin", "dev", "etc", "lib", "lib64", "mnt", "proc", "run", "sbin", "tmp", "usr", "var", "vol"),
                parts[0].lines()
                        .filter(n -> !n.equals("lib32") && !n.equals("libx32"))
                        .toList(),
                out);
        assertEquals(
                List.of(
                        "cairn-guest:x:65432:65432:cairn guest file system driver:/nonexistent:/usr/sbin/nologin",
                        "cairn-guest:x:65432:"),
                parts[1].lines().toList());
        assertTrue(parts[2].contains("No such file or directory"), parts[2]);
        for (String var : parts[3].lines().toList()) {
            String name = var.substring(0, var.indexOf('='));
            assertTrue(name.matches("PATH|HOME|TMPDIR|PWD|SHLVL|_"), "inherited " + var);
        }
    }

    @Test
    @DisplayName("inside: the volume reads as the file it is and cannot be written")
    void volume() throws Exception {
        String out = inside(
                "cmp /vol /vol && echo SAME; sha256sum < /vol; (echo x >> /vol) 2>/dev/null && echo WRITTEN || echo REFUSED");
        assertTrue(out.contains("SAME"), out);
        String sha = exec("sh", "-c", "sha256sum < '" + volume + "'");
        assertTrue(out.contains(sha.trim()), out + " vs " + sha);
        assertTrue(out.contains("REFUSED") && !out.contains("WRITTEN"), out);
    }

    @Test
    @DisplayName("inside: no namespaces, no mounts, only a loopback network, only its own processes")
    void walls() throws Exception {
        String out = inside(String.join(
                "; ",
                "unshare --user true 2>/dev/null && echo USERNS || echo no-userns",
                "unshare --mount true 2>/dev/null && echo MOUNTNS || echo no-mountns",
                "mount -t tmpfs none /mnt 2>/dev/null && echo MOUNTED || echo no-mount",
                "cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '",
                "ls /proc | grep -E '^[0-9]+$' | wc -l"));
        assertTrue(out.contains("no-userns") && !out.contains("USERNS"), out);
        assertTrue(out.contains("no-mountns") && !out.contains("MOUNTNS"), out);
        assertTrue(out.contains("no-mount") && !out.contains("MOUNTED"), out);
        assertTrue(out.lines().anyMatch(l -> l.equals("lo")), "only loopback\n" + out);
        assertFalse(out.lines().anyMatch(l -> l.startsWith("eth") || l.startsWith("ens")), out);
        // the sandbox's own processes only (its pid namespace): sh, the pipeline, ls
        int processes =
                Integer.parseInt(out.lines().reduce((a, b) -> b).orElseThrow().trim());
        assertTrue(processes < 10, "sees " + processes + " processes\n" + out);
    }

    @Test
    @DisplayName("a real fuse2fs serves cairn's FUSE mount from the sandbox, and ends when it is unmounted")
    void driver() throws Exception {
        Path target = Files.createDirectories(dir.resolve("target"));
        DriverProcess p = sandbox.start(new Sandbox.Launch(
                "fuse2fs",
                volume,
                target,
                List.of("/usr/bin/fuse2fs", Sandbox.VOLUME, Sandbox.MOUNT_POINT, "-f", "-o", "ro,norecovery"),
                Map.of(),
                List.of(),
                false));
        try {
            p.awaitReady(Duration.ofSeconds(60));
            assertEquals("Hello from a guest\n", Files.readString(target.resolve("hello.txt")));
            assertEquals("1\n2\n3\n", Files.readString(target.resolve("sub/numbers.txt")));
            String mountinfo = Files.readString(Path.of("/proc/self/mountinfo"));
            assertTrue(
                    mountinfo.lines().anyMatch(l -> l.contains(" " + target + " ") && l.contains(" - fuse.fuse2fs ")),
                    mountinfo);
            // bubblewrap's child is the driver itself
            String children = Files.readString(
                            Path.of("/proc", String.valueOf(p.pid()), "task", String.valueOf(p.pid()), "children"))
                    .trim();
            Map<String, String> st = status(Long.parseLong(children.split(" ")[0]));
            assertTrue(st.get("Name").startsWith("fuse2fs"), st.toString());
            assertTrue(st.get("Uid").startsWith("65432\t"), st.toString());
            assertEquals("0000000000000000", st.get("CapEff"));
            assertEquals("2", st.get("Seccomp"));
        } finally {
            exec("umount", target.toString());
            p.stop(Duration.ofSeconds(10));
        }
        assertFalse(p.isAlive(), "the driver outlived its mount");
    }

    @Test
    @DisplayName("a driver that fails is reported with its exit and its own words")
    void failingDriver() throws Exception {
        Path target = Files.createDirectories(dir.resolve("target2"));
        DriverProcess p = sandbox.start(new Sandbox.Launch(
                "fuse2fs",
                volume,
                target,
                List.of("/bin/sh", "-c", "echo 'no such file system here'; exit 7"),
                Map.of(),
                List.of(),
                false));
        try {
            IOException e = org.junit.jupiter.api.Assertions.assertThrows(
                    IOException.class, () -> p.awaitReady(Duration.ofSeconds(30)));
            assertTrue(e.getMessage().contains("exited with status 7"), e.getMessage());
            assertTrue(e.getMessage().contains("no such file system here"), e.getMessage());
        } finally {
            new ProcessBuilder("umount", "-l", target.toString()).start().waitFor();
        }
    }

    static Map<String, String> status(long pid) throws IOException {
        Map<String, String> out = new HashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                out.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return out;
    }
}
