package io.cairn.mount.volume;

import io.cairn.mount.image.Image;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Little-endian field access and bounded reads of on-disk structures (all of them are little-endian). */
final class Bytes {
    private Bytes() {}

    /**
     * Reads {@code length} bytes at {@code position}, or fails with a format error (not an I/O error)
     * when the structure claims bytes past the end of the image: that is damage, not a read failure.
     */
    static byte[] read(Image image, long position, int length, String what) throws IOException, VolumeFormatException {
        if (position < 0 || length < 0 || position > image.size() - length) {
            throw new VolumeFormatException(
                    what + " at byte " + position + " is past the end of the " + image.size() + "-byte image");
        }
        return image.readFully(position, length);
    }

    static int u8(byte[] b, int off) {
        return b[off] & 0xff;
    }

    static int u16(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8;
    }

    static long u32(byte[] b, int off) {
        return (u16(b, off) | (long) u16(b, off + 2) << 16) & 0xffffffffL;
    }

    static long u64(byte[] b, int off) {
        return u32(b, off) | u32(b, off + 4) << 32;
    }

    static boolean ascii(byte[] b, int off, String expected) {
        if (off < 0 || off + expected.length() > b.length) {
            return false;
        }
        for (int i = 0; i < expected.length(); i++) {
            if (b[off + i] != (byte) expected.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** A NUL- or space-padded label; null when empty. */
    static String label(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        String s = new String(b, off, end - off, StandardCharsets.UTF_8).strip();
        return s.isEmpty() ? null : s;
    }

    /** A big-endian-printed UUID (ext, XFS, btrfs, swap store the 16 bytes in print order). */
    static String uuid(byte[] b, int off) {
        StringBuilder s = new StringBuilder(36);
        for (int i = 0; i < 16; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10) {
                s.append('-');
            }
            s.append(String.format("%02x", b[off + i] & 0xff));
        }
        return s.toString();
    }

    /** A GUID as GPT stores it: the first three fields little-endian (UEFI spec, appendix A). */
    static String guid(byte[] b, int off) {
        return String.format(
                "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X",
                u32(b, off),
                u16(b, off + 4),
                u16(b, off + 6),
                b[off + 8],
                b[off + 9],
                b[off + 10],
                b[off + 11],
                b[off + 12],
                b[off + 13],
                b[off + 14],
                b[off + 15]);
    }

    static boolean allZero(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** Sizes for people: "100 MiB", "1.5 GiB", "512 bytes". */
    static String human(long bytes) {
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        String n = String.format(java.util.Locale.ROOT, "%.1f", v);
        return (n.endsWith(".0") ? n.substring(0, n.length() - 2) : n) + " " + units[u];
    }
}
