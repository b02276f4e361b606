package io.cairn.operations.disk;

import io.cairn.repository.backup.DiskSource;
import io.cairn.repository.backup.Extent;
import io.cairn.vixmntbridge.DiskInfo;
import io.cairn.vixmntbridge.VirtualDisk;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A virtual disk of the disk layer (VMDK, raw, later VixDiskLib) as a backup source: sector reads,
 * the disk's metadata keys, and its allocated blocks, so never-written grains are not even read.
 */
public final class VirtualDiskSource implements DiskSource {
    /** VixDiskLib's smallest QueryAllocatedBlocks chunk (VIXDISKLIB_MIN_CHUNK_SIZE): 64 KiB. */
    private static final long QUERY_CHUNK_SECTORS = 128;

    private final String name;
    private final VirtualDisk disk;
    private final long capacitySectors;

    public VirtualDiskSource(String name, VirtualDisk disk) throws IOException {
        this.name = name;
        this.disk = disk;
        this.capacitySectors = disk.info().capacitySectors();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long capacity() {
        return capacitySectors * DiskInfo.SECTOR_SIZE;
    }

    @Override
    public void read(long offset, byte[] buf, int off, int len) throws IOException {
        // Chunks are powers of two of at least 256 KiB and capacity is whole sectors: always aligned.
        if (offset % DiskInfo.SECTOR_SIZE != 0 || len % DiskInfo.SECTOR_SIZE != 0) {
            throw new IllegalArgumentException("unaligned read at " + offset + "+" + len);
        }
        disk.read(offset / DiskInfo.SECTOR_SIZE, len / DiskInfo.SECTOR_SIZE, buf, off);
    }

    @Override
    public Map<String, String> metadata() throws IOException {
        return disk.metadata();
    }

    @Override
    public List<Extent> allocatedAreas() throws IOException {
        List<Extent> out = new ArrayList<>();
        for (VirtualDisk.SectorRange r : disk.allocatedBlocks(0, capacitySectors, QUERY_CHUNK_SECTORS)) {
            out.add(new Extent(r.start() * DiskInfo.SECTOR_SIZE, r.length() * DiskInfo.SECTOR_SIZE));
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        disk.close();
    }
}
