package io.cairn.vixmntbridge.vmdk;

import io.cairn.vixmntbridge.VixException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A read-only, public view of a parsed VMDK text descriptor (VMDK 5.0 spec, "The Descriptor File"),
 * for code that reads the extents itself rather than through {@link VmdkDisks} (the vSphere
 * datastore {@code https} transport, which fetches descriptor and extents over HTTP). Parsing is the
 * package's own descriptor parser, with the same rules and errors.
 *
 * @param version descriptor {@code version} (1 to 3)
 * @param cid content id
 * @param parentCid {@code parentCID}; {@link #NO_PARENT} for a base disk
 * @param createType e.g. {@code monolithicFlat}, {@code vmfs}, {@code twoGbMaxExtentFlat}
 * @param parentFileNameHint the parent of a delta disk as written; null for a base disk
 * @param extents extent lines in file order
 * @param ddb every {@code ddb.*} key (with its prefix) and unquoted value, in file order
 */
public record VmdkDescriptor(
        int version,
        long cid,
        long parentCid,
        String createType,
        String parentFileNameHint,
        List<Extent> extents,
        Map<String, String> ddb) {

    /** parentCID of a base disk: "no parent". */
    public static final long NO_PARENT = Descriptor.NO_PARENT;

    public VmdkDescriptor {
        extents = List.copyOf(extents);
        ddb = Collections.unmodifiableMap(new LinkedHashMap<>(ddb));
    }

    /**
     * One extent line: {@code access sectors type ["file" [offset]]}.
     *
     * @param access {@code RW}, {@code RDONLY} or {@code NOACCESS}
     * @param sectors length in 512-byte sectors
     * @param type the type as written, upper case: {@code FLAT}, {@code VMFS}, {@code SPARSE},
     *             {@code ZERO}, {@code VMFSSPARSE}, {@code SESPARSE}, {@code VMFSRDM}, ...
     * @param file the extent file relative to the descriptor's directory; null for {@code ZERO}
     * @param offset where the extent's data starts in its file, in sectors (flat extents)
     */
    public record Extent(String access, long sectors, String type, String file, long offset) {
        /** Whether the extent is a plain run of bytes in its file ({@code FLAT} or {@code VMFS}). */
        public boolean isFlat() {
            return "FLAT".equals(type) || "VMFS".equals(type);
        }

        public boolean isZero() {
            return "ZERO".equals(type);
        }
    }

    /**
     * Parses a descriptor's text; {@code source} names the file in errors. NUL padding (an embedded
     * descriptor) is ignored.
     *
     * @throws VixException {@code VIX_E_DISK_INVALID_DESCRIPTOR} naming the file and line for text
     *     that is not a descriptor, {@code VIX_E_DISK_PARTIALCHAIN} for a child without a parent hint
     */
    public static VmdkDescriptor parse(String text, String source) throws VixException {
        Descriptor d = Descriptor.parse(text, source);
        List<Extent> extents = new ArrayList<>(d.extents().size());
        for (Descriptor.ExtentLine e : d.extents()) {
            extents.add(new Extent(e.access(), e.sectors(), e.typeName(), e.file(), e.offset()));
        }
        return new VmdkDescriptor(
                d.version(), d.cid(), d.parentCid(), d.createType(), d.parentFileNameHint(), extents, d.ddb());
    }

    /** Whether this is a delta (snapshot child) disk: parentCID is not {@code ffffffff}. */
    public boolean hasParent() {
        return parentCid != NO_PARENT;
    }

    public long capacitySectors() {
        long s = 0;
        for (Extent e : extents) {
            s += e.sectors();
        }
        return s;
    }

    public long capacityBytes() {
        return capacitySectors() * 512;
    }

    /** The disk database keys as VixDiskLib names them, without the {@code ddb.} prefix. */
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        ddb.forEach((k, v) -> m.put(k.substring("ddb.".length()), v));
        return Collections.unmodifiableMap(m);
    }
}
