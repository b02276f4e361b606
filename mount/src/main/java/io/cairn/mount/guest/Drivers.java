package io.cairn.mount.guest;

import io.cairn.mount.volume.FsType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * Which guest file system drivers work on this machine, found once: the programs, the sandbox
 * they run in, the micro-VM. No guest file system is ever given to the machine's own kernel: a
 * type without a working driver is listed as unsupported with the reason.
 */
final class Drivers {
    private final Driver ext;
    private final String extMissing;
    private final Driver xfs;
    private final String xfsMissing;
    private final Driver ntfs;
    private final String ntfsMissing;

    private Drivers(Driver ext, String extMissing, Driver xfs, String xfsMissing, Driver ntfs, String ntfsMissing) {
        this.ext = ext;
        this.extMissing = extMissing;
        this.xfs = xfs;
        this.xfsMissing = xfsMissing;
        this.ntfs = ntfs;
        this.ntfsMissing = ntfsMissing;
    }

    /**
     * @param sandboxMissing why drivers cannot run in a sandbox here, or null when they can
     * @param microVm the micro-VM, or null
     * @param microVmMissing why there is no micro-VM (when {@code microVm} is null)
     */
    static Drivers detect(String sandboxMissing, MicroVm microVm, String microVmMissing) {
        return detect(Drivers::find, sandboxMissing, microVm != null ? microVm.guestmount() : null, microVmMissing);
    }

    /** As above, with the programs looked up by {@code find} and the micro-VM given by its guestmount. */
    static Drivers detect(
            Function<String, Path> find, String sandboxMissing, String guestmount, String microVmMissing) {
        Path fuse2fs = find.apply("fuse2fs");
        Path ntfs3g = find.apply("ntfs-3g");
        Driver ext = null;
        String extMissing = sandboxMissing;
        if (sandboxMissing == null) {
            if (fuse2fs != null) {
                ext = new Driver("fuse2fs", Driver.Kind.FUSE2FS, fuse2fs);
            } else {
                extMissing = "ext2/3/4 volumes are read by fuse2fs, which is not installed (Debian package fuse2fs);"
                        + " cairn never lets the kernel read a guest file system";
            }
        }
        Driver ntfs = null;
        String ntfsMissing = sandboxMissing;
        if (sandboxMissing == null) {
            if (ntfs3g != null) {
                ntfs = new Driver("ntfs-3g", Driver.Kind.NTFS3G, ntfs3g);
            } else {
                ntfsMissing = "NTFS volumes are read by ntfs-3g, which is not installed (Debian package ntfs-3g)";
            }
        }
        Driver xfs = null;
        String xfsMissing = sandboxMissing != null ? sandboxMissing : microVmMissing;
        if (sandboxMissing == null && guestmount != null) {
            xfs = new Driver("micro-vm", Driver.Kind.MICRO_VM, Path.of(guestmount));
            xfsMissing = null;
        }
        return new Drivers(ext, extMissing, xfs, xfsMissing, ntfs, ntfsMissing);
    }

    /** The driver for {@code type}, or null with {@link #whyNot} saying why. */
    Driver forType(FsType type) {
        return switch (type) {
            case EXT2, EXT3, EXT4 -> ext;
            case XFS -> xfs;
            case NTFS -> ntfs;
            default -> null;
        };
    }

    String whyNot(FsType type) {
        return switch (type) {
            case EXT2, EXT3, EXT4 -> extMissing;
            case XFS -> xfsMissing;
            case NTFS -> ntfsMissing;
            case BTRFS -> "btrfs volumes are not supported yet";
            case ISO9660 -> "ISO 9660 volumes are not supported yet";
            case SWAP -> "swap space";
            case UNKNOWN -> "no filesystem recognised";
            default -> type.displayName() + " volumes are not supported";
        };
    }

    /** A program in the system directories (never the caller's PATH: these run as root or hold guest data). */
    static Path find(String program) {
        for (String d : List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
            Path p = Path.of(d, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
