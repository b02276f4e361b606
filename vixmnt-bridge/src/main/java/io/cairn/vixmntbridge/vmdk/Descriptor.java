package io.cairn.vixmntbridge.vmdk;

import io.cairn.vixmntbridge.VixException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A VMDK text descriptor (VMDK 5.0 spec, "The Descriptor File"): header keys, extent lines and the
 * {@code ddb.*} disk database. Lines are {@code key = "value"} (quotes optional), extent lines
 * {@code RW|RDONLY|NOACCESS <sectors> <type> ["<file>" [<offset>]]}, and {@code #} comments. The text
 * of an embedded descriptor is padded with NUL bytes up to its sector count, which is ignored.
 */
final class Descriptor {
    /** parentCID of a base disk: "no parent". */
    static final long NO_PARENT = 0xffffffffL;

    private static final Pattern EXTENT =
            Pattern.compile("(RW|RDONLY|NOACCESS)\\s+(\\d+)\\s+([A-Za-z]+)(?:\\s+\"([^\"]*)\"(?:\\s+(\\d+))?)?\\s*");
    private static final Pattern KEY_VALUE = Pattern.compile("([A-Za-z0-9_.\\-]+)\\s*=\\s*(.*?)\\s*");

    /**
     * Extent kinds this reader understands: FLAT and VMFS (plain images), SPARSE (hosted sparse),
     * ZERO, VMFSSPARSE (ESXi's COWD {@code -delta.vmdk}) and SESPARSE (ESXi's {@code -sesparse.vmdk});
     * anything else (VMFSRDM, VMFSRAW, VMFSRDMP: raw devices) is OTHER and refused.
     */
    enum ExtentType {
        FLAT,
        SPARSE,
        ZERO,
        VMFS,
        VMFSSPARSE,
        SESPARSE,
        OTHER
    }

    /** One extent line. {@code file} is null for ZERO extents; {@code offset} is in sectors. */
    record ExtentLine(
            String access, long sectors, ExtentType type, String typeName, String file, long offset, int line) {}

    private final String source;
    private final int version;
    private final long cid;
    private final long parentCid;
    private final String createType;
    private final String parentFileNameHint;
    private final List<ExtentLine> extents;
    private final Map<String, String> ddb;

    private Descriptor(
            String source,
            int version,
            long cid,
            long parentCid,
            String createType,
            String parentFileNameHint,
            List<ExtentLine> extents,
            Map<String, String> ddb) {
        this.source = source;
        this.version = version;
        this.cid = cid;
        this.parentCid = parentCid;
        this.createType = createType;
        this.parentFileNameHint = parentFileNameHint;
        this.extents = extents;
        this.ddb = ddb;
    }

    /**
     * Parses {@code text}; {@code source} names the file in errors. Throws
     * {@code VIX_E_DISK_INVALID_DESCRIPTOR} naming the file and line for anything it cannot read.
     */
    static Descriptor parse(String text, String source) throws VixException {
        int nul = text.indexOf('\0');
        if (nul >= 0) {
            // An embedded descriptor is NUL-padded; anything but padding after the first NUL is damage.
            // qemu-io, rewriting a descriptor file with a shorter CID, leaves "\0\n" behind: white
            // space among the padding is padding too.
            for (int i = nul; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c != '\0' && c != '\n' && c != '\r' && c != ' ' && c != '\t') {
                    throw invalid(source, lineOf(text, i), "NUL byte inside the descriptor text");
                }
            }
            text = text.substring(0, nul);
        }
        Map<String, String> keys = new LinkedHashMap<>();
        Map<String, Integer> keyLines = new LinkedHashMap<>();
        Map<String, String> ddb = new LinkedHashMap<>();
        List<ExtentLine> extents = new ArrayList<>();
        String[] lines = text.split("\r?\n|\r", -1);
        for (int i = 0; i < lines.length; i++) {
            int no = i + 1;
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = EXTENT.matcher(line);
            if (m.matches()) {
                extents.add(extentLine(m, source, no, line));
                continue;
            }
            if (line.matches("(RW|RDONLY|NOACCESS)\\s.*")) {
                throw invalid(source, no, "malformed extent line: '" + line + "'");
            }
            Matcher kv = KEY_VALUE.matcher(line);
            if (!kv.matches()) {
                throw invalid(source, no, "neither 'key = value' nor an extent line: '" + shorten(line) + "'");
            }
            String key = kv.group(1);
            String value = unquote(kv.group(2), source, no, line);
            if (key.startsWith("ddb.")) {
                ddb.put(key, value);
            } else {
                keys.put(key.toLowerCase(Locale.ROOT), value);
                keyLines.put(key.toLowerCase(Locale.ROOT), no);
            }
        }
        int version = 1;
        if (keys.containsKey("version")) {
            try {
                version = Integer.parseInt(keys.get("version"));
            } catch (NumberFormatException e) {
                version = -1;
            }
            if (version < 1 || version > 3) {
                throw invalid(
                        source, keyLines.get("version"), "unknown descriptor version '" + keys.get("version") + "'");
            }
        }
        if (!keys.containsKey("cid")) {
            throw invalid(source, 0, "no CID line");
        }
        long cid = hex(keys, keyLines, "cid", "CID", source);
        long parentCid =
                keys.containsKey("parentcid") ? hex(keys, keyLines, "parentcid", "parentCID", source) : NO_PARENT;
        String createType = keys.get("createtype");
        if (createType == null || createType.isEmpty()) {
            throw invalid(source, 0, "no createType line");
        }
        if (extents.isEmpty()) {
            throw invalid(source, 0, "no extent lines");
        }
        String hint = keys.get("parentfilenamehint");
        if (parentCid != NO_PARENT && (hint == null || hint.isEmpty())) {
            throw new VixException(
                    VixException.VIX_E_DISK_PARTIALCHAIN,
                    "descriptor of '" + source + "' has parentCID " + Long.toHexString(parentCid)
                            + " but no parentFileNameHint: its parent cannot be found");
        }
        return new Descriptor(
                source,
                version,
                cid,
                parentCid,
                createType,
                parentCid == NO_PARENT ? null : hint,
                List.copyOf(extents),
                Collections.unmodifiableMap(ddb));
    }

    private static ExtentLine extentLine(Matcher m, String source, int no, String line) throws VixException {
        long sectors;
        long offset = 0;
        try {
            sectors = Long.parseLong(m.group(2));
            if (m.group(5) != null) {
                offset = Long.parseLong(m.group(5));
            }
        } catch (NumberFormatException e) {
            throw invalid(source, no, "number out of range in extent line '" + line + "'");
        }
        if (sectors <= 0 || sectors > SparseHeader.MAX_CAPACITY || offset > SparseHeader.MAX_CAPACITY) {
            throw invalid(source, no, "absurd size or offset in extent line '" + line + "'");
        }
        String typeName = m.group(3).toUpperCase(Locale.ROOT);
        ExtentType type;
        try {
            type = ExtentType.valueOf(typeName);
        } catch (IllegalArgumentException e) {
            type = ExtentType.OTHER;
        }
        String file = m.group(4);
        if (type != ExtentType.ZERO && (file == null || file.isEmpty())) {
            throw invalid(source, no, "extent line without a file name: '" + line + "'");
        }
        return new ExtentLine(m.group(1), sectors, type, typeName, file, offset, no);
    }

    private static String unquote(String v, String source, int no, String line) throws VixException {
        if (v.startsWith("\"")) {
            if (v.length() < 2 || !v.endsWith("\"")) {
                throw invalid(source, no, "unterminated quoted value: '" + shorten(line) + "'");
            }
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    /** CIDs are 32-bit hex, written without zero padding by VMware and qemu-img alike. */
    private static long hex(
            Map<String, String> keys, Map<String, Integer> lines, String key, String name, String source)
            throws VixException {
        String v = keys.get(key);
        try {
            long x = Long.parseLong(v, 16);
            if (x >= 0 && x <= 0xffffffffL) {
                return x;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(source, lines.get(key), name + " is not a 32-bit hex number: '" + v + "'");
    }

    private static int lineOf(String text, int index) {
        int line = 1;
        for (int i = 0; i < index; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    private static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }

    private static VixException invalid(String source, int line, String what) {
        return new VixException(
                VixException.VIX_E_DISK_INVALID_DESCRIPTOR,
                "descriptor of '" + source + "'" + (line > 0 ? " line " + line : "") + ": " + what);
    }

    String source() {
        return source;
    }

    int version() {
        return version;
    }

    long cid() {
        return cid;
    }

    long parentCid() {
        return parentCid;
    }

    boolean hasParent() {
        return parentCid != NO_PARENT;
    }

    String createType() {
        return createType;
    }

    /** The parent's file name as written (relative to this descriptor's directory, or absolute); null for a base disk. */
    String parentFileNameHint() {
        return parentFileNameHint;
    }

    List<ExtentLine> extents() {
        return extents;
    }

    /** Every {@code ddb.*} key with its unquoted value, in file order. */
    Map<String, String> ddb() {
        return ddb;
    }

    long capacitySectors() {
        long s = 0;
        for (ExtentLine e : extents) {
            s += e.sectors();
        }
        return s;
    }

    /**
     * Renders the descriptor of a base disk (parentCID {@code ffffffff}) laid out as qemu-img writes it:
     * header keys, extent lines ({@code RW <sectors> <TYPE> "<file>"}, with the sector offset for FLAT),
     * then the disk database. {@code ddb} keys carry their {@code ddb.} prefix; values are written quoted
     * and must not contain quotes or line breaks. An {@code encoding="UTF-8"} line is added only when
     * some text is not ASCII, as VMware does. {@link #parse} reads the result back unchanged.
     */
    static String render(long cid, String createType, List<ExtentLine> extents, Map<String, String> ddb) {
        StringBuilder b = new StringBuilder(512);
        b.append("# Disk DescriptorFile\n");
        b.append("version=1\n");
        StringBuilder all = new StringBuilder();
        extents.forEach(e -> all.append(e.file()));
        ddb.forEach((k, v) -> all.append(k).append(v));
        if (!all.chars().allMatch(c -> c < 0x80)) {
            b.append("encoding=\"UTF-8\"\n");
        }
        b.append("CID=").append(Long.toHexString(cid & 0xffffffffL)).append('\n');
        b.append("parentCID=").append(Long.toHexString(NO_PARENT)).append('\n');
        b.append("createType=\"").append(createType).append("\"\n");
        b.append("\n# Extent description\n");
        for (ExtentLine e : extents) {
            b.append(e.access()).append(' ').append(e.sectors()).append(' ').append(e.typeName());
            if (e.file() != null) {
                b.append(" \"").append(e.file()).append('"');
                if (e.type() == ExtentType.FLAT) {
                    b.append(' ').append(e.offset());
                }
            }
            b.append('\n');
        }
        b.append("\n# The Disk Data Base\n#DDB\n\n");
        ddb.forEach((k, v) -> b.append(k).append(" = \"").append(v).append("\"\n"));
        return b.toString();
    }
}
