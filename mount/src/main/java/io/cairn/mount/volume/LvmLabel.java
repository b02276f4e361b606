package io.cairn.mount.volume;

import io.cairn.mount.image.Image;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An LVM2 physical volume's on-disk label and its current metadata text
 * (<a href="https://github.com/lvmteam/lvm2/blob/main/lib/format_text/layout.h">lib/format_text/layout.h</a>,
 * <a href="https://github.com/lvmteam/lvm2/blob/main/lib/label/label.h">lib/label/label.h</a>):
 * <ul>
 * <li>label header in one of the first four sectors: "LABELONE", its own sector number, a CRC of the
 *     rest of the sector from byte 20, the offset of the PV header, type "LVM2 001";</li>
 * <li>PV header: 32-character uuid, device size, then two lists of (offset, size) areas ended by a zero
 *     offset: data areas, then metadata areas;</li>
 * <li>each metadata area starts with a 512-byte header (CRC, magic " LVM2 x[5A%r0N*>", version 1,
 *     start, size, raw locations); the first raw location is the current metadata text, a circular
 *     buffer after the header, with its own CRC.</li>
 * </ul>
 * All CRCs are LVM's {@code calc_crc}: CRC-32 (reflected 0xEDB88320) started at 0xf597a6cf, no final xor.
 *
 * @param uuid       PV uuid, 32 characters without dashes
 * @param deviceSize bytes, as recorded
 * @param metadata   the current metadata text, null when the PV has no metadata area
 */
record LvmLabel(String uuid, long deviceSize, String metadata) {

    private static final int SECTOR = 512;
    private static final long INITIAL_CRC = 0xf597a6cfL;
    private static final String MDA_MAGIC = " LVM2 x[5A%r0N*>";
    private static final int MDA_HEADER_SIZE = 512;
    /** raw_locn.flags: this copy is ignored (pvchange --metadataignore). */
    private static final long RAW_LOCN_IGNORED = 1;
    /**
     * Metadata larger than this is refused as damage: it is the size of LVM's own default metadata
     * area, and LVM warns long before its text fills half of it.
     */
    static final long MAX_METADATA = 1L << 20;

    private static final long[] TABLE = new long[256];

    static {
        for (int i = 0; i < 256; i++) {
            long c = i;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? 0xEDB88320L ^ (c >>> 1) : c >>> 1;
            }
            TABLE[i] = c;
        }
    }

    static long crc(long initial, byte[] b, int off, int len) {
        long c = initial;
        for (int i = off; i < off + len; i++) {
            c = TABLE[(int) ((c ^ b[i]) & 0xff)] ^ (c >>> 8);
        }
        return c;
    }

    /** Reads the label of the PV occupying {@code [offset, offset + size)} of {@code disk}. */
    static LvmLabel read(Image disk, long offset, long size) throws IOException, VolumeFormatException {
        byte[] s = null;
        for (int sector = 0; sector < 4 && (sector + 1) * SECTOR <= size; sector++) {
            byte[] t = disk.readFully(offset + (long) sector * SECTOR, SECTOR);
            if (Bytes.ascii(t, 0, "LABELONE")) {
                if (Bytes.u64(t, 8) != sector) {
                    throw new VolumeFormatException(
                            "LVM label in sector " + sector + " says sector " + Bytes.u64(t, 8));
                }
                s = t;
                break;
            }
        }
        if (s == null) {
            throw new VolumeFormatException("no LVM label");
        }
        if (crc(INITIAL_CRC, s, 20, SECTOR - 20) != Bytes.u32(s, 16)) {
            throw new VolumeFormatException("LVM label checksum mismatch");
        }
        if (!Bytes.ascii(s, 24, "LVM2 001")) {
            throw new VolumeFormatException("LVM label type is not LVM2 001");
        }
        long pvh = Bytes.u32(s, 20);
        // uuid (32) + device size (8) + at least two list terminators (2 x 16)
        if (pvh < 32 || pvh + 72 > SECTOR) {
            throw new VolumeFormatException("LVM PV header offset " + pvh + " is invalid");
        }
        int p = (int) pvh;
        String uuid = new String(s, p, 32, StandardCharsets.US_ASCII);
        long deviceSize = Bytes.u64(s, p + 32);
        p += 40;
        List<long[]> mdas = new ArrayList<>();
        for (int list = 0; list < 2; list++) {
            while (true) {
                if (p + 16 > SECTOR) {
                    throw new VolumeFormatException("LVM PV header area list is not terminated");
                }
                long o = Bytes.u64(s, p);
                long l = Bytes.u64(s, p + 8);
                p += 16;
                if (o == 0) {
                    break;
                }
                if (list == 1) {
                    mdas.add(new long[] {o, l});
                }
            }
        }
        String text = null;
        String lastProblem = null;
        for (long[] mda : mdas) {
            try {
                text = metadata(disk, offset, size, mda[0], mda[1]);
                if (text != null) {
                    break;
                }
            } catch (VolumeFormatException e) {
                lastProblem = e.getMessage();
            }
        }
        if (text == null && lastProblem != null) {
            throw new VolumeFormatException(lastProblem);
        }
        return new LvmLabel(uuid, deviceSize, text);
    }

    private static String metadata(Image disk, long pvOffset, long pvSize, long mdaOffset, long mdaSize)
            throws IOException, VolumeFormatException {
        if (mdaSize < MDA_HEADER_SIZE || mdaOffset < 0 || mdaOffset > pvSize - mdaSize) {
            throw new VolumeFormatException("LVM metadata area " + mdaOffset + "+" + mdaSize + " is outside the PV");
        }
        byte[] h = disk.readFully(pvOffset + mdaOffset, MDA_HEADER_SIZE);
        if (!Bytes.ascii(h, 4, MDA_MAGIC)) {
            throw new VolumeFormatException("LVM metadata area header has no magic");
        }
        if (crc(INITIAL_CRC, h, 4, MDA_HEADER_SIZE - 4) != Bytes.u32(h, 0)) {
            throw new VolumeFormatException("LVM metadata area header checksum mismatch");
        }
        long rOffset = Bytes.u64(h, 40);
        long rSize = Bytes.u64(h, 48);
        long rCrc = Bytes.u32(h, 56);
        long rFlags = Bytes.u32(h, 60);
        if (rOffset == 0 || (rFlags & RAW_LOCN_IGNORED) != 0) {
            return null; // empty or ignored copy
        }
        long ring = mdaSize - MDA_HEADER_SIZE;
        if (rOffset < MDA_HEADER_SIZE || rOffset >= mdaSize || rSize > ring) {
            throw new VolumeFormatException("LVM metadata location " + rOffset + "+" + rSize + " is invalid");
        }
        if (rSize > MAX_METADATA) {
            throw new VolumeFormatException("LVM metadata of " + rSize + " bytes is larger than the "
                    + (MAX_METADATA >> 20) + " MiB cairn reads");
        }
        // The text is a circular buffer after the header: it may wrap to byte MDA_HEADER_SIZE.
        long first = Math.min(rSize, mdaSize - rOffset);
        byte[] text = new byte[(int) rSize];
        System.arraycopy(disk.readFully(pvOffset + mdaOffset + rOffset, (int) first), 0, text, 0, (int) first);
        if (first < rSize) {
            System.arraycopy(
                    disk.readFully(pvOffset + mdaOffset + MDA_HEADER_SIZE, (int) (rSize - first)),
                    0,
                    text,
                    (int) first,
                    (int) (rSize - first));
        }
        if (crc(INITIAL_CRC, text, 0, text.length) != rCrc) {
            throw new VolumeFormatException("LVM metadata checksum mismatch");
        }
        return new String(text, StandardCharsets.UTF_8);
    }
}
