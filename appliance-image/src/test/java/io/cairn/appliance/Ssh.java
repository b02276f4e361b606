package io.cairn.appliance;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** root over SSH on the appliance (qemu's forwarded port), with the key the deployment authorised. */
final class Ssh {
    private final Path key;
    private final int port;

    Ssh(Path key, int port) {
        this.key = key;
        this.port = port;
    }

    /** Makes an ed25519 key pair {@code dir/id_ed25519}; returns the public key's line. */
    static String newKey(Path dir) throws Exception {
        Path k = dir.resolve("id_ed25519");
        Vm.run(
                List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "appliance-it", "-f", k.toString()),
                Duration.ofSeconds(30));
        return java.nio.file.Files.readString(dir.resolve("id_ed25519.pub")).trim();
    }

    private List<String> options() {
        return List.of(
                "-i", key.toString(),
                "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null",
                "-o", "LogLevel=ERROR",
                "-o", "ConnectTimeout=30");
    }

    /** Runs a shell command as root; fails the test unless it exits 0; returns its output. */
    String run(String command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ssh", "-p", Integer.toString(port)));
        cmd.addAll(options());
        cmd.add("root@127.0.0.1");
        cmd.add(command);
        return Vm.run(cmd, Duration.ofMinutes(5));
    }

    /** Copies a local file to a path on the appliance. */
    void copy(Path local, String remote) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("scp", "-P", Integer.toString(port)));
        cmd.addAll(options());
        cmd.add(local.toString());
        cmd.add("root@127.0.0.1:" + remote);
        Vm.run(cmd, Duration.ofMinutes(5));
    }
}
