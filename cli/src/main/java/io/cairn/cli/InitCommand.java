package io.cairn.cli;

import io.cairn.operations.location.RepositoryLocation;
import io.cairn.repository.Repository;
import io.cairn.repository.RepositoryConfig;
import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.maintenance.RetentionPolicy;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "init",
        description = "Create a repository in an empty or new directory, or under an empty prefix of an S3 bucket"
                + " (created when missing).")
final class InitCommand implements Callable<Integer> {
    @Mixin
    RepoOptions repo;

    @Option(
            names = "--chunk-size",
            paramLabel = "SIZE",
            defaultValue = "1M",
            description = "Chunk size, a power of two from 256K to 8M. Default: ${DEFAULT-VALUE}.")
    String chunkSize;

    @Option(
            names = "--compression-level",
            paramLabel = "N",
            defaultValue = "1",
            description =
                    "zstd level 1-19, or 0 for none. Default: ${DEFAULT-VALUE} (as Proxmox Backup Server: level 3 costs more CPU and saved under 0.1%% on VM images here).")
    int level;

    @Option(names = "--encrypt", description = "Encrypt (AES-256-GCM; key from the password by scrypt).")
    boolean encrypt;

    @Option(
            names = "--format",
            paramLabel = "N",
            defaultValue = "2",
            description = "Repository format: 2 (content-defined chunks of --chunk-size on average: copies of a"
                    + " file anywhere on a disk are stored once; the default) or 1 (fixed chunks, readable by"
                    + " cairn versions before format 2).")
    int format;

    @Option(
            names = "--object-lock",
            paramLabel = "DAYS|RULES",
            description = "s3:// only: the store refuses to delete or overwrite what each backup writes for this long"
                    + " (S3 Object Lock): days (30 or 30d), or your retention rules"
                    + " (daily=7,weekly=4,monthly=6: the longest, here 186 days). The bucket must be new.")
    String objectLock;

    @Option(
            names = "--object-lock-mode",
            paramLabel = "MODE",
            defaultValue = FormatConstants.OBJECT_LOCK_COMPLIANCE,
            description = "compliance (nobody can shorten it, not even the bucket's owner; the default)"
                    + " or governance (a user with the bypass permission can).")
    String objectLockMode;

    @Override
    public Integer call() throws Exception {
        long cs = Durations.parseSize(chunkSize, "--chunk-size");
        RepositoryConfig.validateChunkSize(cs);
        RepositoryConfig.ObjectLock lock = objectLock == null ? null : objectLock(objectLock, objectLockMode);
        var location = repo.location(); // validated before any password is asked
        char[] password = encrypt ? repo.password(true) : null; // before creating anything
        RepositoryLocation.chunker(format, (int) cs); // a wrong --format fails before anything is made
        Repository r = location.init((int) cs, level, password, lock, format);
        System.out.println("created " + (encrypt ? "encrypted " : "") + "repository "
                + r.config().id() + " at " + location.describe() + " (format "
                + r.config().version()
                + (r.config().version() == 1 ? ", chunk size " : ", average chunk size ") + Durations.bytes(cs)
                + ", zstd level " + level
                + (lock != null ? ", Object Lock " + lock.mode() + " " + lock.days() + " days" : "") + ")");
        if (encrypt) {
            System.out.println("keep the password safe: without it the backups cannot be read");
        }
        return Main.OK;
    }

    /** {@code 30}, {@code 30d}, or {@code daily=7,weekly=4,monthly=6}. */
    static RepositoryConfig.ObjectLock objectLock(String value, String mode) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        int days;
        if (v.matches("\\d{1,5}d?")) {
            days = Integer.parseInt(v.endsWith("d") ? v.substring(0, v.length() - 1) : v);
        } else {
            int daily = 0;
            int weekly = 0;
            int monthly = 0;
            for (String part : v.split(",")) {
                String[] kv = part.trim().split("=");
                if (kv.length != 2 || !kv[1].matches("\\d{1,4}")) {
                    throw new IllegalArgumentException("--object-lock takes days (30d) or rules such as"
                            + " daily=7,weekly=4,monthly=6, not '" + value + "'");
                }
                int n = Integer.parseInt(kv[1]);
                switch (kv[0].replace("keep-", "")) {
                    case "daily" -> daily = n;
                    case "weekly" -> weekly = n;
                    case "monthly" -> monthly = n;
                    default ->
                        throw new IllegalArgumentException(
                                "--object-lock rules are daily=N, weekly=N and monthly=N, not '" + part + "'");
                }
            }
            days = new RetentionPolicy(0, daily, weekly, monthly).lockDays();
        }
        return new RepositoryConfig.ObjectLock(mode.trim().toLowerCase(Locale.ROOT), days);
    }
}
