package io.cairn.vixmntbridge;

/**
 * VixDiskLibInfo: what {@code VixDiskLib_GetInfo} reports.
 *
 * @param capacitySectors size in 512-byte sectors
 * @param parentFileNameHint the parent of a delta disk, or null for a base disk
 * @param hardwareVersion {@code ddb.virtualHWVersion}
 */
public record DiskInfo(
        long capacitySectors,
        Geometry biosGeometry,
        Geometry physicalGeometry,
        AdapterType adapterType,
        int hardwareVersion,
        String parentFileNameHint,
        int numLinks) {

    public static final int SECTOR_SIZE = 512;

    public long capacityBytes() {
        return capacitySectors * SECTOR_SIZE;
    }

    /** Cylinders, heads, sectors per track ({@code ddb.geometry.*}). */
    public record Geometry(long cylinders, int heads, int sectors) {}

    /** VixDiskLibAdapterType, as {@code ddb.adapterType} names it. */
    public enum AdapterType {
        IDE("ide"),
        BUSLOGIC("buslogic"),
        LSILOGIC("lsilogic"),
        LSISAS("lsisas1068"),
        PVSCSI("pvscsi"),
        NVME("nvme"),
        SATA("sata"),
        UNKNOWN("unknown");

        private final String ddb;

        AdapterType(String ddb) {
            this.ddb = ddb;
        }

        public String ddbName() {
            return ddb;
        }

        public static AdapterType fromDdb(String v) {
            if (v != null) {
                for (AdapterType a : values()) {
                    if (a.ddb.equalsIgnoreCase(v.trim())) {
                        return a;
                    }
                }
            }
            return UNKNOWN;
        }
    }
}
