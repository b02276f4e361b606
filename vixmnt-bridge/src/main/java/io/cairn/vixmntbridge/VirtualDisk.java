package io.cairn.vixmntbridge;

import java.util.List;
import java.util.Map;

/**
 * An open virtual disk, as a VixDiskLib handle: sector-addressed reads and writes, metadata keys, the
 * allocated-block query. Implementations: pure-Java VMDK/raw files ({@code vmdk}), the real VDDK
 * through JNA ({@code vddk}). Reads from several threads at once are allowed; writes are not.
 */
public interface VirtualDisk extends AutoCloseable {

    DiskInfo info() throws VixException;

    /** {@code VixDiskLib_Read}: {@code sectors × 512} bytes starting at {@code startSector}. */
    void read(long startSector, int sectors, byte[] buf, int offset) throws VixException;

    /** {@code VixDiskLib_Write}. */
    void write(long startSector, int sectors, byte[] buf, int offset) throws VixException;

    /**
     * {@code VixDiskLib_GetMetadataKeys} with each value. Keys are named as VixDiskLib names them,
     * without the descriptor's {@code ddb.} prefix ({@code adapterType}, {@code geometry.cylinders}).
     */
    Map<String, String> metadata() throws VixException;

    /** {@code VixDiskLib_WriteMetadata}: the seed rule writes these before any data on restore. */
    void writeMetadata(String key, String value) throws VixException;

    /**
     * {@code VixDiskLib_QueryAllocatedBlocks}: ranges (in sectors) that may hold data, in units of
     * {@code chunkSectors}; everything else reads as zeros.
     */
    List<SectorRange> allocatedBlocks(long startSector, long sectors, long chunkSectors) throws VixException;

    @Override
    void close() throws VixException;

    /** A range of sectors. */
    record SectorRange(long start, long length) {}
}
