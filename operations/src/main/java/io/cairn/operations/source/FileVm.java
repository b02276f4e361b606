package io.cairn.operations.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairn.operations.disk.FileDiskSource;
import io.cairn.operations.disk.VirtualDiskSource;
import io.cairn.operations.roots.SourceRoots;
import io.cairn.repository.backup.BackupRequest;
import io.cairn.repository.backup.DiskSource;
import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.format.Json;
import io.cairn.repository.manifest.Manifest;
import io.cairn.vixmntbridge.vmdk.VmdkDisks;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A VM given as a file on this machine ({@code file:PATH}), opened for a backup:
 *
 * <ul>
 *   <li>a {@code .vmx}: every present scsi/sata/nvme/ide VMDK in controller order, with the
 *       {@code .vmx} and NVRAM kept as the VM's configuration; named by {@code displayName}, known by
 *       its {@code vc.uuid} or BIOS UUID;
 *   <li>a {@code .vmdk} in any subformat (snapshot children read through their parents, the
 *       descriptor's {@code ddb.*} keys kept, never-written grains not read);
 *   <li>anything else: a raw disk image (or block device).
 * </ul>
 *
 * Without a {@code .vmx} identity, a VM is known by its name ({@link Manifest.VmIdentity#ofFile}), so the CLI's and
 * the scheduler's backups of one image are one VM.
 */
public final class FileVm implements Closeable {
    /** What the file is. */
    public enum Kind {
        VMX,
        VMDK,
        RAW
    }

    private final Path path;
    private final Kind kind;
    private final String name;
    private final Manifest.VmIdentity identity;
    private final List<DiskSource> disks;
    private final List<BackupRequest.FileInput> files;
    private final JsonNode config;

    private FileVm(
            Path path,
            Kind kind,
            String name,
            Manifest.VmIdentity identity,
            List<DiskSource> disks,
            List<BackupRequest.FileInput> files,
            JsonNode config) {
        this.path = path;
        this.kind = kind;
        this.name = name;
        this.identity = identity;
        this.disks = List.copyOf(disks);
        this.files = List.copyOf(files);
        this.config = config;
    }

    /** The kind a path names, by its extension. */
    public static Kind kindOf(Path path) {
        String file = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return file.endsWith(".vmx") ? Kind.VMX : file.endsWith(".vmdk") ? Kind.VMDK : Kind.RAW;
    }

    /**
     * The VM name a file source gets without {@code name}: a {@code .vmx}'s {@code displayName}, else
     * the file name without its extension ({@code /x/web01.img} is {@code web01}).
     */
    public static String defaultName(Path path, SourceRoots roots) throws IOException {
        return kindOf(path) == Kind.VMX
                ? VmxFile.read(path, roots).displayName()
                : VmxFile.stem(path.getFileName().toString());
    }

    /**
     * Opens the file's disks.
     *
     * @param name the VM's name, or null for {@link #defaultName}
     * @param roots which files may be read: the file itself and every file it leads to (the disks and
     *     NVRAM of a {@code .vmx}, a VMDK's extents and parents)
     * @throws RepositoryException with one line when the file (or a disk a {@code .vmx} names) is
     *     missing or unreadable, or a {@code .vmx} names no disk
     * @throws IllegalArgumentException when the name is empty
     */
    public static FileVm open(Path path, String name, SourceRoots roots) throws IOException {
        Kind kind = kindOf(path);
        VmxFile vmx = kind == Kind.VMX ? VmxFile.read(path, roots) : null;
        String vmName = name != null
                ? name
                : vmx != null
                        ? vmx.displayName()
                        : VmxFile.stem(path.getFileName().toString());
        if (vmName.isBlank()) {
            throw new IllegalArgumentException("the VM name is empty");
        }
        if (vmx == null) {
            DiskSource disk = openDisk(path, roots);
            return new FileVm(
                    path,
                    kind,
                    vmName,
                    new Manifest.VmIdentity(Manifest.VmIdentity.ofFile(vmName), vmName, null, null),
                    List.of(disk),
                    List.of(),
                    null);
        }
        List<VmxFile.Disk> vmxDisks = vmx.disks();
        if (vmxDisks.isEmpty()) {
            throw new RepositoryException(path + " names no virtual disk (no present scsi/sata/nvme/ide VMDK)");
        }
        String uuid = vmx.uuid();
        List<BackupRequest.FileInput> files = new ArrayList<>();
        files.add(new BackupRequest.FileInput(
                FormatConstants.FILE_ROLE_VMX, path.getFileName().toString(), vmx.bytes()));
        Path nvram = vmx.nvram();
        if (nvram != null) {
            files.add(new BackupRequest.FileInput(
                    FormatConstants.FILE_ROLE_NVRAM, nvram.getFileName().toString(), VmxFile.readNvram(nvram, roots)));
        }
        List<DiskSource> disks = new ArrayList<>();
        try {
            for (VmxFile.Disk d : vmxDisks) {
                disks.add(openDisk(d.file(), roots));
            }
        } catch (IOException | RuntimeException e) {
            closeAll(disks);
            throw e;
        }
        return new FileVm(
                path,
                kind,
                vmName,
                new Manifest.VmIdentity(uuid != null ? uuid : Manifest.VmIdentity.ofFile(vmName), vmName, uuid, null),
                disks,
                files,
                Json.mapper().valueToTree(vmx.summary()));
    }

    /**
     * A {@code .vmdk} through the disk layer (any subformat, snapshot chains; every extent and parent
     * opened through {@code roots}); anything else as a raw image.
     */
    public static DiskSource openDisk(Path path, SourceRoots roots) throws IOException {
        if (kindOf(path) == Kind.VMDK) {
            if (!Files.isRegularFile(path)) {
                throw new RepositoryException("source " + path + " does not exist");
            }
            return new VirtualDiskSource(path.getFileName().toString(), VmdkDisks.open(path, roots::open));
        }
        return FileDiskSource.open(path, roots);
    }

    public Kind kind() {
        return kind;
    }

    public String name() {
        return name;
    }

    /** Identity, name and (for a {@code .vmx}) UUID, as the manifest keeps them. */
    public Manifest.VmIdentity identity() {
        return identity;
    }

    /** The disks in backup order (one, unless a {@code .vmx} names several). */
    public List<DiskSource> disks() {
        return disks;
    }

    /** The configuration files kept with the backup: a {@code .vmx} and its NVRAM; none for a disk. */
    public List<BackupRequest.FileInput> files() {
        return files;
    }

    /** The {@code .vmx}'s JSON summary for the manifest, or null for a disk. */
    public JsonNode config() {
        return config;
    }

    /** Where the backup says it came from: {@code file:/absolute/path}. */
    public String source() {
        return "file:" + path.toAbsolutePath();
    }

    /** The bytes its disks hold (their capacities). */
    public long capacity() throws IOException {
        long n = 0;
        for (DiskSource d : disks) {
            n += d.capacity();
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        closeAll(disks);
    }

    private static void closeAll(List<DiskSource> disks) throws IOException {
        IOException first = null;
        for (DiskSource d : disks) {
            try {
                d.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
