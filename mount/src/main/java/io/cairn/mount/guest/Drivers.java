package io.cairn.mount.guest;

import io.cairn.mount.volume.FsType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which guest filesystem drivers work on this machine, found once at mount time: programs on the
 * PATH (and in the sbin directories, where Debian puts fuse2fs and mount helpers) and filesystems
 * the kernel has ({@code /proc/filesystems}). Kernel mounts need root and a loop device.
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
     * @param allowKernel whether kernel filesystem drivers may be used: a kernel driver parses the
     *        guest's (untrusted) metadata in the kernel, a FUSE driver only in its own process
     */
    static Drivers detect(boolean root, boolean allowKernel) {
        Path fuse2fs = find("fuse2fs");
        Path ntfs3g = find("ntfs-3g");
        Path mount = find("mount");
        List<String> kernel = kernelFilesystems();
        boolean loop = Files.exists(Path.of("/dev/loop-control")) || Files.exists(Path.of("/dev/loop0"));
        Driver ext = null;
        String extMissing = null;
        if (fuse2fs != null) {
            ext = new Driver("fuse2fs", fuse2fs, Driver.Kind.FUSE2FS);
        } else if (allowKernel && root && mount != null && loop && kernel.contains("ext4")) {
            ext = new Driver("kernel ext4", mount, Driver.Kind.KERNEL_EXT4);
        } else {
            extMissing = "fuse2fs is not installed (Debian package fuse2fs)";
        }
        Driver xfs = null;
        String xfsMissing = null;
        if (!allowKernel) {
            xfsMissing = "XFS volumes need the kernel's XFS driver, and kernel mounts are off (--no-kernel-mounts)";
        } else if (!kernel.contains("xfs")) {
            xfsMissing = "this machine's kernel has no XFS driver";
        } else if (!root) {
            xfsMissing = "XFS volumes are mounted by the kernel, which needs root";
        } else if (!loop || mount == null) {
            xfsMissing = "XFS volumes need a loop device and mount(8), and this machine has none";
        } else {
            xfs = new Driver("kernel xfs", mount, Driver.Kind.KERNEL_XFS);
        }
        Driver ntfs = ntfs3g == null ? null : new Driver("ntfs-3g", ntfs3g, Driver.Kind.NTFS3G);
        String ntfsMissing = ntfs3g == null ? "ntfs-3g is not installed (Debian package ntfs-3g)" : null;
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

    static Path find(String program) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        dirs.addAll(List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"));
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static List<String> kernelFilesystems() {
        List<String> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/filesystems"))) {
                String[] f = line.trim().split("\\s+");
                out.add(f[f.length - 1]);
            }
        } catch (IOException e) {
            // no /proc: no kernel filesystems known
        }
        return out;
    }
}
