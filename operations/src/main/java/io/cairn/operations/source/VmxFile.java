package io.cairn.operations.source;

import io.cairn.operations.roots.SourceRoots;
import io.cairn.repository.error.RepositoryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A VM's {@code .vmx}: the configuration of a VM that has no vCenter. {@code key = "value"} lines;
 * keys are case-insensitive, as VMware treats them. Gives the VM's name, identity, NVRAM file and its
 * virtual disks in controller order.
 */
public final class VmxFile {
    private static final Pattern LINE = Pattern.compile("^\\s*([A-Za-z0-9_.:\\-]+)\\s*=\\s*\"(.*)\"\\s*$");
    private static final Pattern DISK_KEY = Pattern.compile("^(scsi|sata|nvme|ide)(\\d+):(\\d+)\\.filename$");

    private final Path path;
    private final byte[] raw;
    private final Map<String, String> values;

    private VmxFile(Path path, byte[] raw, Map<String, String> values) {
        this.path = path;
        this.raw = raw;
        this.values = values;
    }

    /** A .vmx is a few KiB; anything far larger is not one, and is not read into memory. */
    static final long MAX_BYTES = 1 << 20;

    /** An NVRAM file is at most a few hundred KiB (EFI); it is kept whole in the manifest's files. */
    static final long MAX_NVRAM_BYTES = 16 << 20;

    /**
     * Reads and parses a {@code .vmx}.
     *
     * @throws RepositoryException with one line when it is missing, larger than {@value #MAX_BYTES}
     *     bytes, or has a line that is not {@code key = "value"}
     */
    public static VmxFile read(Path path, SourceRoots roots) throws IOException {
        byte[] raw;
        try {
            raw = readBounded(path, MAX_BYTES, "a .vmx", roots);
        } catch (NoSuchFileException e) {
            throw new RepositoryException("source " + path + " does not exist");
        }
        Map<String, String> values = new LinkedHashMap<>();
        int n = 0;
        for (String line : new String(raw, StandardCharsets.UTF_8).split("\r?\n")) {
            n++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#") || t.startsWith(".encoding")) {
                continue;
            }
            Matcher m = LINE.matcher(t);
            if (!m.matches()) {
                throw new RepositoryException(path + " line " + n + " is not 'key = \"value\"': " + t);
            }
            values.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
        }
        return new VmxFile(path, raw, values);
    }

    /** The file's bytes, opened through {@code roots}, refused (one line) when it is larger than {@code max}. */
    static byte[] readBounded(Path file, long max, String what, SourceRoots roots) throws IOException {
        try (FileChannel ch = roots.open(file)) {
            long size = ch.size();
            if (size > max) {
                throw new RepositoryException(
                        file + " is " + size + " bytes, too large for " + what + " (at most " + max + ")");
            }
            ByteBuffer b = ByteBuffer.allocate((int) size);
            while (b.hasRemaining() && ch.read(b, b.position()) >= 0) {
                // positional reads until the size taken at open
            }
            if (b.hasRemaining()) {
                throw new RepositoryException(file + " shrank while it was read");
            }
            return b.array();
        }
    }

    /** The NVRAM's bytes ({@link #nvram}) through {@code roots}, refused when larger than {@value #MAX_NVRAM_BYTES} bytes. */
    public static byte[] readNvram(Path nvram, SourceRoots roots) throws IOException {
        return readBounded(nvram, MAX_NVRAM_BYTES, "an NVRAM file", roots);
    }

    public byte[] bytes() {
        return raw.clone();
    }

    public String get(String key) {
        return values.get(key.toLowerCase(Locale.ROOT));
    }

    /** {@code displayName}, else the file name without {@code .vmx}. */
    public String displayName() {
        String d = get("displayName");
        return d != null && !d.isBlank() ? d : stem(path.getFileName().toString());
    }

    /** The vCenter instance UUID ({@code vc.uuid}) if the VM was registered, else the BIOS UUID. */
    public String uuid() {
        String u = get("vc.uuid");
        if (u == null || u.isBlank()) {
            u = get("uuid.bios");
        }
        return u == null || u.isBlank()
                ? null
                : u.replace(" ", "").replace("-", "").toLowerCase(Locale.ROOT);
    }

    /** The NVRAM file ({@code nvram}, default {@code <name>.nvram}), or null if it does not exist. */
    public Path nvram() {
        String n = get("nvram");
        Path p = resolve(n != null ? n : stem(path.getFileName().toString()) + ".nvram");
        return Files.isRegularFile(p) ? p : null;
    }

    /** A virtual disk of the VM: its device ({@code scsi0:1}) and file. */
    public record Disk(String device, String bus, int controller, int unit, Path file) {}

    /** Present, non-CD-ROM disk devices whose file is a VMDK, in bus, controller and unit order. */
    public List<Disk> disks() {
        List<Disk> out = new ArrayList<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            Matcher m = DISK_KEY.matcher(e.getKey());
            if (!m.matches()) {
                continue;
            }
            String dev = m.group(1) + m.group(2) + ":" + m.group(3);
            if ("false".equalsIgnoreCase(get(dev + ".present"))) {
                continue;
            }
            String type = get(dev + ".deviceType");
            if (type != null && type.toLowerCase(Locale.ROOT).contains("cdrom")) {
                continue;
            }
            if (!e.getValue().toLowerCase(Locale.ROOT).endsWith(".vmdk")) {
                continue;
            }
            out.add(new Disk(
                    dev,
                    m.group(1),
                    Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3)),
                    resolve(e.getValue())));
        }
        List<String> buses = List.of("scsi", "sata", "nvme", "ide");
        out.sort(Comparator.comparing((Disk d) -> buses.indexOf(d.bus()))
                .thenComparingInt(Disk::controller)
                .thenComparingInt(Disk::unit));
        return out;
    }

    /** Paths in a .vmx are relative to its directory (or absolute). */
    private Path resolve(String name) {
        Path p = Path.of(name);
        return p.isAbsolute() ? p : path.toAbsolutePath().getParent().resolve(p);
    }

    /** A short JSON-able summary of the configuration. */
    public Map<String, Object> summary() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", displayName());
        putIf(s, "guestOS", get("guestOS"));
        putIf(s, "numvcpus", get("numvcpus"));
        putIf(s, "memsizeMB", get("memsize"));
        putIf(s, "firmware", get("firmware"));
        putIf(s, "virtualHW", get("virtualHW.version"));
        List<Map<String, String>> disks = new ArrayList<>();
        for (Disk d : disks()) {
            disks.add(
                    Map.of("device", d.device(), "file", d.file().getFileName().toString()));
        }
        s.put("disks", disks);
        return s;
    }

    /** A file name without its extension: {@code web01.vmx} is {@code web01}. */
    public static String stem(String file) {
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }

    private static void putIf(Map<String, Object> m, String k, String v) {
        if (v != null) {
            m.put(k, v);
        }
    }
}
