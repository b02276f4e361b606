package io.cairn.cli;

import io.cairn.repository.error.RepositoryException;
import io.cairn.vixmntbridge.DiskInfo;
import io.cairn.vixmntbridge.VirtualDisk;
import io.cairn.vixmntbridge.vmdk.VmdkDisks;
import io.cairn.vixmntbridge.vmdk.VmdkWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Converts a disk between formats with the pure-Java disk layer (the role of {@code vmkfstools -i -d}
 * or {@code qemu-img convert}): any VMDK subformat, snapshot chains included, or a raw image, to raw
 * or a VMDK subformat. Only allocated ranges of the source are read.
 */
@Command(name = "convert", description = "Convert a disk (VMDK of any subformat, or raw) to raw or a VMDK subformat.")
final class ConvertCommand implements Callable<Integer> {
    private static final int PIECE = 4 << 20;

    @Parameters(index = "0", paramLabel = "SOURCE", description = "A .vmdk (any subformat) or a raw image.")
    Path source;

    @Parameters(index = "1", paramLabel = "TARGET", description = "The file to create (must not exist).")
    Path target;

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            defaultValue = "raw",
            description = "raw, vmdk-flat, vmdk-sparse, vmdk-stream or vmdk-2gbsparse (default: ${DEFAULT-VALUE}).")
    String format;

    /** A piece read from the source, on its way to the writer. */
    private record Piece(long offset, byte[] data, int length) {}

    private static final Piece END = new Piece(-1, new byte[0], 0);

    /**
     * Reads allocated ranges on one thread and writes on this one, through four buffers, so reading
     * (positional reads, inflating) and writing (compressing, zero detection) overlap on two cores.
     */
    private static long copy(VirtualDisk in, DiskInfo info, VmdkWriter out) throws Exception {
        java.util.concurrent.BlockingQueue<byte[]> free = new java.util.concurrent.ArrayBlockingQueue<>(4);
        java.util.concurrent.BlockingQueue<Piece> full = new java.util.concurrent.ArrayBlockingQueue<>(5);
        for (int i = 0; i < 4; i++) {
            free.add(new byte[PIECE]);
        }
        Exception[] failure = {null};
        Thread reader = new Thread(
                () -> {
                    try {
                        for (VirtualDisk.SectorRange r : in.allocatedBlocks(0, info.capacitySectors(), 128)) {
                            for (long sector = r.start(), end = r.start() + r.length(); sector < end; ) {
                                int n = (int) Math.min(PIECE / DiskInfo.SECTOR_SIZE, end - sector);
                                byte[] buf = free.take();
                                in.read(sector, n, buf, 0);
                                full.put(new Piece(sector * DiskInfo.SECTOR_SIZE, buf, n * DiskInfo.SECTOR_SIZE));
                                sector += n;
                            }
                        }
                    } catch (Exception e) {
                        failure[0] = e;
                    } finally {
                        full.offer(END);
                    }
                },
                "cairn-convert-read");
        reader.setDaemon(true);
        reader.start();
        long copied = 0;
        try {
            for (Piece p = full.take(); p != END; p = full.take()) {
                out.write(p.offset(), p.data(), 0, p.length());
                copied += p.length();
                free.add(p.data());
            }
        } finally {
            reader.interrupt();
            reader.join();
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        return copied;
    }

    @Override
    public Integer call() throws Exception {
        VmdkWriter.Format fmt = VmdkWriter.Format.fromCliName(format);
        if (!Files.isRegularFile(source)) {
            throw new RepositoryException("source " + source + " does not exist");
        }
        long t0 = System.nanoTime();
        long copied = 0;
        long capacity;
        try (VirtualDisk in = VmdkDisks.open(source)) {
            DiskInfo info = in.info();
            capacity = info.capacityBytes();
            Map<String, String> meta = new LinkedHashMap<>();
            in.metadata().forEach((k, v) -> {
                if (!k.equals("longContentID") && !k.startsWith("ddb.") && v.indexOf('"') < 0) {
                    meta.put(k, v);
                }
            });
            try (VmdkWriter out = VmdkWriter.create(target, fmt, capacity, meta)) {
                copied = copy(in, info, out);
            }
        }
        double secs = Math.max((System.nanoTime() - t0) / 1e9, 1e-3);
        System.out.printf(
                Locale.ROOT,
                "converted %s (%s, %s allocated) to %s as %s in %.1f s, %s/s%n",
                source,
                Durations.bytes(capacity),
                Durations.bytes(copied),
                target,
                fmt.cliName(),
                secs,
                Durations.bytes((long) (capacity / secs)));
        return Main.OK;
    }
}
