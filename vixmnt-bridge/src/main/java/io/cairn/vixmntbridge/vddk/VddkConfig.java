package io.cairn.vixmntbridge.vddk;

import io.cairn.vixmntbridge.VixException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The configuration file cairn hands to {@code VixDiskLib_InitEx} ({@code name=value} per line).
 *
 * <p>Why these values: the NFC defaults (a few minutes to accept, 1 min per request) are too short
 * for a busy ESXi host serving several backups, and an NFC session left idle (while cairn waits on
 * its repository, or between the disks of a VM) is dropped by the host's file server. cairn therefore
 * gives NFC generous accept/request/write timeouts, turns off the timeouts of the host's NFC file
 * server for its operations and for its writes ({@code nfcFssrvr.TimeoutMs=0},
 * {@code nfcFssrvrWrite.TimeoutMs=0}), and additionally reads sector 0 of every idle open disk every
 * {@link #KEEPALIVE_INTERVAL} — well inside the 60 s read timeout — so that no path between cairn
 * and the host (NAT, firewall) drops the connection either. These are the VDDK Programming Guide's
 * recommended starting values ("three minutes for Accept and Request, one minute for Read, ten
 * minutes for Write, and no timeouts (0) for nfcFssrvr and nfcFssrvrWrite"; chapters "NFC Session
 * Limits and Timeouts", "Initialize Virtual Disk API"). {@code tmpDirectory} is set as the guide asks
 * ("VDDK's default temporary folder can change from backup job to job, which could cause cleanup
 * issues"): cairn's work directory for this library.
 */
final class VddkConfig {

    /** Idle time after which a disk gets a keepalive read of sector 0. */
    static final Duration KEEPALIVE_INTERVAL = Duration.ofSeconds(30);

    static final String CONTENT = ""
            + "# VixDiskLib configuration written by cairn for VixDiskLib_InitEx\n"
            + "# accepting an NFC connection on a busy host: 3 min\n"
            + "vixDiskLib.nfc.AcceptTimeoutMs=180000\n"
            + "# one NFC request: 3 min\n"
            + "vixDiskLib.nfc.RequestTimeoutMs=180000\n"
            + "# one NFC read: 1 min (cairn's keepalive reads sector 0 every 30 s)\n"
            + "vixDiskLib.nfc.ReadTimeoutMs=60000\n"
            + "# one NFC write: 10 min (restores to thin disks on slow datastores)\n"
            + "vixDiskLib.nfc.WriteTimeoutMs=600000\n"
            + "# no idle timeout in the host's NFC file server\n"
            + "vixDiskLib.nfcFssrvr.TimeoutMs=0\n"
            + "# no timeout for the NFC file server's writes (restores)\n"
            + "vixDiskLib.nfcFssrvrWrite.TimeoutMs=0\n";

    private VddkConfig() {}

    /** Writes {@link #CONTENT} and {@code tmpDirectory = "dir"} to a new file in {@code dir} and returns it. */
    static Path write(Path dir) throws VixException {
        try {
            Files.createDirectories(dir);
            Path f = Files.createTempFile(dir, "vixDiskLib-", ".conf");
            Files.writeString(
                    f,
                    CONTENT + "# VixDiskLib's temporary files and logs\ntmpDirectory=\"" + dir.toAbsolutePath()
                            + "\"\n",
                    StandardCharsets.UTF_8);
            return f;
        } catch (IOException e) {
            throw new VixException(
                    VixException.VIX_E_FILE_IO_ERROR,
                    "writing the VixDiskLib config file in " + dir + " failed: " + e.getMessage(),
                    e);
        }
    }
}
