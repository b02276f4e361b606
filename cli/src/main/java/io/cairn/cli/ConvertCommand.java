package io.cairn.cli;

import io.cairn.repository.RepositoryException;
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
    private static final int PIECE = 1 << 20;

    @Parameters(index = "0", paramLabel = "SOURCE", description = "A .vmdk (any subformat) or a raw image.")
    Path source;

    @Parameters(index = "1", paramLabel = "TARGET", description = "The file to create (must not exist).")
    Path target;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "raw",
            description = "raw, vmdk-flat, vmdk-sparse, vmdk-stream or vmdk-2gbsparse (default: ${DEFAULT-VALUE}).")
    String format;

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
            byte[] buf = new byte[PIECE];
            try (VmdkWriter out = VmdkWriter.create(target, fmt, capacity, meta)) {
                for (VirtualDisk.SectorRange r : in.allocatedBlocks(0, info.capacitySectors(), 128)) {
                    long sector = r.start();
                    long end = r.start() + r.length();
                    while (sector < end) {
                        int n = (int) Math.min(PIECE / DiskInfo.SECTOR_SIZE, end - sector);
                        in.read(sector, n, buf, 0);
                        out.write(sector * DiskInfo.SECTOR_SIZE, buf, 0, n * DiskInfo.SECTOR_SIZE);
                        copied += (long) n * DiskInfo.SECTOR_SIZE;
                        sector += n;
                    }
                }
            }
        }
        double secs = Math.max((System.nanoTime() - t0) / 1e9, 1e-3);
        System.out.printf(Locale.ROOT, "converted %s (%s, %s allocated) to %s as %s in %.1f s, %s/s%n", source,
                Durations.bytes(capacity), Durations.bytes(copied), target, fmt.cliName(), secs,
                Durations.bytes((long) (capacity / secs)));
        return Main.OK;
    }
}
