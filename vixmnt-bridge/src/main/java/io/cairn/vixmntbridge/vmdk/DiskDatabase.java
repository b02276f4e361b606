package io.cairn.vixmntbridge.vmdk;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A disk's database keys (VixDiskLib's metadata, {@code ddb.*} lines of a descriptor) as they are
 * carried from a backed-up disk into a new descriptor: a restored disk, or the flat VMDK the mount
 * shows.
 */
public final class DiskDatabase {
    private DiskDatabase() {}

    /**
     * The keys of a backed-up disk that may go into a new descriptor: VixDiskLib names a descriptor
     * can hold, without the {@code ddb.} prefix, and without {@code longContentID}, which belongs to
     * the old disk (the writer makes a new content id). Values that would break a descriptor line
     * (quotes, line breaks, NUL) are left out.
     */
    public static Map<String, String> restorable(Map<String, String> metadata) {
        Map<String, String> meta = new LinkedHashMap<>();
        metadata.forEach((k, v) -> {
            if (k.matches("[A-Za-z0-9_.]+")
                    && !k.startsWith("ddb.")
                    && !k.equals("longContentID")
                    && v.indexOf('"') < 0
                    && v.indexOf('\n') < 0
                    && v.indexOf('\r') < 0
                    && v.indexOf('\0') < 0) {
                meta.put(k, v);
            }
        });
        return meta;
    }
}
