package io.cairn.vixmntbridge.vmdk;

import io.cairn.vixmntbridge.VirtualDisk;
import io.cairn.vixmntbridge.VixException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Opens local VMDK disks (every hosted subformat: monolithicSparse, monolithicFlat, streamOptimized,
 * twoGbMaxExtentSparse, twoGbMaxExtentFlat; ESXi's vmfs flat descriptors and its snapshot
 * children, vmfsSparse ({@code -delta.vmdk}, COWD) and seSparse ({@code -sesparse.vmdk}); delta
 * links of any of them) and raw images, read-only, as {@link VirtualDisk}s.
 *
 * <p>What a file is, is decided by its content: a {@code KDMV} header is a sparse extent with its
 * descriptor embedded; text starting with {@code # Disk DescriptorFile} (or any small {@code .vmdk})
 * is a descriptor naming its extents; anything else is a raw image, whose size must then be a whole
 * number of sectors.
 */
public final class VmdkDisks {
    /** Links followed before a chain is taken for a loop. */
    static final int MAX_CHAIN = 64;
    /** A descriptor file larger than this is not a descriptor. */
    static final int MAX_DESCRIPTOR_BYTES = 1 << 20;
    /** A small .vmdk file that is not a sparse extent can only be a descriptor. */
    private static final long SMALL_VMDK = 64 * 1024;

    private static final String DESCRIPTOR_SIGNATURE = "# Disk DescriptorFile";

    private VmdkDisks() {}

    /** Opens {@code path} and, for a delta disk, its whole parent chain, checked link by link by CID. */
    public static VirtualDisk open(Path path) throws VixException {
        return open(path, FileOpener.PLAIN);
    }

    /**
     * Opens {@code path} and, for a delta disk, its whole parent chain, checked link by link by CID;
     * every file (the disk, its extents, its parents) is opened through {@code opener}.
     */
    public static VirtualDisk open(Path path, FileOpener opener) throws VixException {
        return openLink(path.toAbsolutePath().normalize(), 0, opener);
    }

    private static VmdkDisk openLink(Path path, int depth, FileOpener opener) throws VixException {
        if (depth > MAX_CHAIN) {
            throw new VixException(
                    VixException.VIX_E_DISK_INVAL,
                    "'" + path + "' is more than " + MAX_CHAIN
                            + " links below the disk opened: the parent chain loops");
        }
        if (!Files.isRegularFile(path)) {
            throw new VixException(VixException.VIX_E_FILE_NOT_FOUND, "'" + path + "' does not exist or is not a file");
        }
        ExtentFile file = ExtentFile.open(path, opener);
        boolean ownsFile = true;
        try {
            byte[] first = new byte[(int) Math.min(file.size(), 1024)];
            file.readFully(0, first, 0, first.length);
            if (SparseHeader.hasMagic(first, first.length)) {
                Descriptor d = embeddedDescriptor(file);
                file.close();
                ownsFile = false;
                return fromDescriptor(path, d, true, depth, opener);
            }
            if (CowdHeader.hasMagic(first, first.length)) {
                // ESXi names its vmfsSparse data files <disk>-delta.vmdk and their descriptors
                // <disk>.vmdk: the descriptor holds the CID, the parent and the capacity. A COWD
                // file on its own (ESX 2 redo logs and Workstation 3 disks named their parent
                // inside) is not read.
                throw new VixException(
                        VixException.VIX_E_NOT_SUPPORTED,
                        "'" + path + "' is a COWD sparse extent (the data of an ESXi vmfsSparse snapshot,"
                                + " or an ESX 2 / Workstation 3 disk): open the descriptor that names it"
                                + hintFor(path, "-delta") + "; a COWD file without a descriptor is not supported");
            }
            if (SeSparseExtent.hasMagic(first, first.length)) {
                throw new VixException(
                        VixException.VIX_E_NOT_SUPPORTED,
                        "'" + path + "' is a seSparse extent (the data of an ESXi snapshot): open the descriptor"
                                + " that names it" + hintFor(path, "-sesparse"));
            }
            if (startsWith(first, 512, DESCRIPTOR_SIGNATURE)) {
                // A descriptor at sector 1 means sector 0 should have been a KDMV header.
                throw SparseHeader.bad("'" + path + "' has an embedded descriptor but wrong magic 0x"
                        + String.format("%02x%02x%02x%02x", first[3], first[2], first[1], first[0])
                        + " in its sparse header, expected 0x564d444b (KDMV)");
            }
            boolean vmdkName =
                    path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".vmdk");
            if (looksLikeDescriptor(first) || (vmdkName && file.size() < SMALL_VMDK)) {
                if (file.size() > MAX_DESCRIPTOR_BYTES) {
                    throw new VixException(
                            VixException.VIX_E_DISK_INVALID_DESCRIPTOR,
                            "'" + path + "' is " + file.size() + " bytes, too large for a descriptor file");
                }
                String text = new String(file.read(0, (int) file.size()), StandardCharsets.UTF_8);
                file.close();
                ownsFile = false;
                return fromDescriptor(path, Descriptor.parse(text, path.toString()), false, depth, opener);
            }
            if (file.size() % SparseHeader.SECTOR != 0) {
                throw new VixException(
                        VixException.VIX_E_DISK_INVAL,
                        "'" + path + "' is neither a VMDK nor a raw image: " + "its size " + file.size()
                                + " is not a multiple of 512 bytes");
            }
            ownsFile = false;
            return new VmdkDisk(path, null, List.of(FlatExtent.of(file, 0, file.size() / SparseHeader.SECTOR)), null);
        } finally {
            if (ownsFile) {
                file.close();
            }
        }
    }

    /** The descriptor a monolithic sparse file carries at {@code descriptorOffset} (sector 1 usually). */
    private static Descriptor embeddedDescriptor(ExtentFile file) throws VixException {
        SparseHeader h = SparseExtent.header(file);
        if (h.descriptorOffset <= 0 || h.descriptorSize <= 0) {
            throw new VixException(
                    VixException.VIX_E_DISK_INVALID_DESCRIPTOR,
                    "'" + file.path()
                            + "' is a sparse extent without an embedded descriptor: open the descriptor file that names it");
        }
        long sectors = file.size() / SparseHeader.SECTOR;
        long bytes = Math.min(h.descriptorSize, sectors + 1) * SparseHeader.SECTOR;
        long at = Math.min(h.descriptorOffset, sectors + 1) * SparseHeader.SECTOR;
        if (bytes > MAX_DESCRIPTOR_BYTES || at > file.size() - bytes) {
            throw new VixException(
                    VixException.VIX_E_DISK_INVALID_DESCRIPTOR,
                    "'" + file.path() + "' embedded descriptor (" + h.descriptorSize + " sectors at sector "
                            + h.descriptorOffset + ") lies past the end of the file or is absurdly large");
        }
        String text = new String(file.read(at, (int) bytes), StandardCharsets.UTF_8);
        if (text.replace("\0", "").isBlank()) {
            throw new VixException(
                    VixException.VIX_E_DISK_INVALID_DESCRIPTOR,
                    "'" + file.path()
                            + "' has an empty embedded descriptor: it is one extent of a split disk; open the descriptor file that names it");
        }
        return Descriptor.parse(text, file.path().toString());
    }

    /**
     * @param embedded the descriptor came from inside the sparse file {@code path}: a monolithic sparse
     *     disk's single extent is that very file, whatever name its extent line still carries after the
     *     file was renamed or copied (VMware writes the original name and never updates it).
     */
    private static VmdkDisk fromDescriptor(Path path, Descriptor d, boolean embedded, int depth, FileOpener opener)
            throws VixException {
        Path dir = path.getParent();
        List<Extent> extents = new ArrayList<>();
        VmdkDisk parent = null;
        try {
            boolean self =
                    embedded && d.extents().size() == 1 && d.extents().get(0).type() == Descriptor.ExtentType.SPARSE;
            for (Descriptor.ExtentLine line : d.extents()) {
                extents.add(
                        self
                                ? SparseExtent.open(ExtentFile.open(path, opener), line.sectors())
                                : openExtent(dir, path, line, opener));
            }
            if (d.hasParent()) {
                parent = openParent(path, dir, d, depth, opener);
            }
            return new VmdkDisk(path, d, extents, parent);
        } catch (VixException | RuntimeException e) {
            for (Extent x : extents) {
                closeQuietly(x, e);
            }
            if (parent != null) {
                closeQuietly(parent, e);
            }
            throw e;
        }
    }

    private static Extent openExtent(Path dir, Path descriptorPath, Descriptor.ExtentLine line, FileOpener opener)
            throws VixException {
        String where = "'" + descriptorPath + "' line " + line.line();
        if ("NOACCESS".equals(line.access())) {
            throw new VixException(VixException.VIX_E_NOT_SUPPORTED, where + ": NOACCESS extents cannot be read");
        }
        switch (line.type()) {
            case ZERO:
                return new ZeroExtent(line.sectors());
            case FLAT:
            case VMFS: // an ESXi flat extent: same layout as FLAT
                return FlatExtent.of(
                        ExtentFile.open(extentPath(dir, line, where), opener), line.offset(), line.sectors());
            case SPARSE:
                return SparseExtent.open(ExtentFile.open(extentPath(dir, line, where), opener), line.sectors());
            case VMFSSPARSE: {
                // qemu, like VMware, takes either header in either kind of line
                ExtentFile f = ExtentFile.open(extentPath(dir, line, where), opener);
                byte[] magic = new byte[(int) Math.min(4, f.size())];
                try {
                    f.readFully(0, magic, 0, magic.length);
                    if (CowdHeader.hasMagic(magic, magic.length)) {
                        return SparseExtent.open(f, CowdHeader.read(f, line.sectors()), line.sectors());
                    }
                } catch (VixException | RuntimeException e) {
                    closeQuietly(f, e);
                    throw e;
                }
                return SparseExtent.open(f, line.sectors());
            }
            case SESPARSE:
                return SeSparseExtent.open(ExtentFile.open(extentPath(dir, line, where), opener), line.sectors());
            default:
                throw new VixException(
                        VixException.VIX_E_NOT_SUPPORTED,
                        where + ": extent type " + line.typeName()
                                + " is not supported (FLAT, VMFS, SPARSE, VMFSSPARSE, SESPARSE and ZERO are)");
        }
    }

    private static Path extentPath(Path dir, Descriptor.ExtentLine line, String where) throws VixException {
        Path p = resolve(dir, line.file());
        if (p == null || !Files.isRegularFile(p)) {
            throw new VixException(
                    VixException.VIX_E_FILE_NOT_FOUND,
                    where + ": extent file '" + line.file() + "' not found" + (p == null ? "" : " at '" + p + "'"));
        }
        return p;
    }

    /**
     * Names in descriptors are relative to the descriptor's directory, or absolute. Descriptors made on
     * Windows use backslashes; those are tried as separators when the name as written does not exist.
     */
    private static Path resolve(Path dir, String name) {
        try {
            Path p = dir.resolve(name).normalize();
            if (!Files.exists(p) && name.indexOf('\\') >= 0) {
                Path q = dir.resolve(name.replace('\\', '/')).normalize();
                if (Files.exists(q)) {
                    return q;
                }
            }
            return p;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private static VmdkDisk openParent(Path child, Path dir, Descriptor d, int depth, FileOpener opener)
            throws VixException {
        String hint = d.parentFileNameHint();
        Path p = resolve(dir, hint);
        if (p == null || !Files.isRegularFile(p)) {
            throw new VixException(
                    VixException.VIX_E_DISK_PARTIALCHAIN,
                    "parent '" + hint + "' of '" + child + "' is missing"
                            + (p == null ? "" : " (looked for '" + p + "')"));
        }
        VmdkDisk parent = openLink(p, depth + 1, opener);
        Descriptor pd = parent.descriptor();
        // The CID changes on the parent's first write after open: a mismatch means the parent was
        // modified after the child was taken, and reading through it would mix two points in time.
        if (pd == null || pd.cid() != d.parentCid()) {
            String parentCid = pd == null ? "none (a raw image)" : Long.toHexString(pd.cid());
            closeQuietly(parent, null);
            throw new VixException(
                    VixException.VIX_E_DISK_CID_MISMATCH,
                    "'" + child + "' expects parentCID " + Long.toHexString(d.parentCid()) + " but its parent '" + p
                            + "' has CID " + parentCid);
        }
        return parent;
    }

    private static void closeQuietly(AutoCloseable c, Throwable into) {
        try {
            c.close();
        } catch (Exception e) {
            if (into != null) {
                into.addSuppressed(e);
            }
        }
    }

    /** " (probably NAME.vmdk)" for a data file NAME-delta.vmdk / NAME-sesparse.vmdk, else "". */
    private static String hintFor(Path dataFile, String suffix) {
        String n = dataFile.getFileName().toString();
        String tail = suffix + ".vmdk";
        return n.endsWith(tail) ? " (probably " + n.substring(0, n.length() - tail.length()) + ".vmdk)" : "";
    }

    private static boolean looksLikeDescriptor(byte[] first) {
        int i = 0;
        if (first.length >= 3 && (first[0] & 0xff) == 0xef && (first[1] & 0xff) == 0xbb && (first[2] & 0xff) == 0xbf) {
            i = 3; // UTF-8 byte order mark
        }
        while (i < first.length && (first[i] == ' ' || first[i] == '\t' || first[i] == '\r' || first[i] == '\n')) {
            i++;
        }
        return startsWith(first, i, DESCRIPTOR_SIGNATURE);
    }

    private static boolean startsWith(byte[] b, int at, String s) {
        if (at + s.length() > b.length) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.toLowerCase((char) b[at + i]) != Character.toLowerCase(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
