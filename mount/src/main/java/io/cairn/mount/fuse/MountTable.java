package io.cairn.mount.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel's view of what is mounted ({@code /proc/self/mountinfo}). It is the only reliable
 * answer to "did the mount work": jnr-fuse reports success after a 2-second timeout even when
 * libfuse failed.
 */
public final class MountTable {
    private MountTable() {}

    /** One line of mountinfo: where, what type, from which source. */
    public record Entry(Path mountPoint, String fsType, String source, String options) {
        /** True for this path or anything below it. */
        public boolean isAtOrBelow(Path dir) {
            return mountPoint.equals(dir) || mountPoint.startsWith(dir);
        }
    }

    public static List<Entry> read() throws IOException {
        return parse(Files.readAllLines(Path.of("/proc/self/mountinfo")));
    }

    /** Parses mountinfo lines (see proc(5)); fields after the optional ones are found by the " - " separator. */
    static List<Entry> parse(List<String> lines) {
        List<Entry> out = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            int dash = -1;
            for (int i = 6; i < f.length; i++) {
                if (f[i].equals("-")) {
                    dash = i;
                    break;
                }
            }
            if (f.length < 7 || dash < 0 || dash + 2 >= f.length) {
                continue;
            }
            out.add(new Entry(Path.of(unescape(f[4])), f[dash + 1], unescape(f[dash + 2]), f[5]));
        }
        return out;
    }

    /** The mount exactly at {@code dir}, the topmost one if several are stacked; null if none. */
    public static Entry at(Path dir) throws IOException {
        Entry found = null;
        for (Entry e : read()) {
            if (e.mountPoint().equals(dir)) {
                found = e;
            }
        }
        return found;
    }

    /** Everything mounted at or below {@code dir}, deepest (and most recent) first: the order to unmount in. */
    public static List<Entry> atOrBelow(Path dir) throws IOException {
        List<Entry> all = read();
        List<Entry> out = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).isAtOrBelow(dir)) {
                out.add(all.get(i));
            }
        }
        out.sort((a, b) ->
                Integer.compare(b.mountPoint().getNameCount(), a.mountPoint().getNameCount()));
        return out;
    }

    /** mountinfo escapes space, tab, newline and backslash as octal {@code \ooo}. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        byte[] bytes = new byte[s.length()];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\'
                    && i + 3 < s.length()
                    && isOctal(s.charAt(i + 1))
                    && isOctal(s.charAt(i + 2))
                    && isOctal(s.charAt(i + 3))) {
                bytes[n++] = (byte) Integer.parseInt(s.substring(i + 1, i + 4), 8);
                i += 3;
            } else {
                // mountinfo is bytes; keep multi-byte UTF-8 intact by collecting bytes
                byte[] enc = String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                if (n + enc.length > bytes.length) {
                    bytes = java.util.Arrays.copyOf(bytes, bytes.length * 2 + enc.length);
                }
                System.arraycopy(enc, 0, bytes, n, enc.length);
                n += enc.length;
            }
        }
        b.append(new String(bytes, 0, n, java.nio.charset.StandardCharsets.UTF_8));
        return b.toString();
    }

    private static boolean isOctal(char c) {
        return c >= '0' && c <= '7';
    }
}
