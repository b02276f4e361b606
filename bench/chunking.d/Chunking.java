import io.cairn.repository.index.Chunker;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How chunking parameters deduplicate a set of disk images (bench/chunking): for each parameter
 * set, every image is cut (content-defined with cairn's Chunker, or fixed-size) and the distinct
 * non-zero chunks counted, as one repository holding all the images would store them (before
 * compression). Run with the cairn jar on the class path:
 *
 *   java -cp cli/target/cairn.jar bench/chunking.d/Chunking.java SPEC... -- IMAGE...
 *
 * SPEC is fixed:SIZE or cdc:MIN:AVG:MAX (KiB).
 */
public class Chunking {
    public static void main(String[] args) throws Exception {
        int sep = List.of(args).indexOf("--");
        List<String> specs = List.of(args).subList(0, sep);
        List<String> images = List.of(args).subList(sep + 1, args.length);
        System.out.println("| chunking | chunks (non-zero, all images) | distinct chunks | mean chunk KiB | distinct MiB | index entries |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: |");
        for (String spec : specs) {
            Set<String> seen = new HashSet<>();
            long[] acc = new long[4]; // chunks, distinct bytes, entries, non-zero bytes
            for (String img : images) {
                cut(spec, Path.of(img), seen, acc);
            }
            System.out.printf("| %s | %d | %d | %.0f | %.1f | %d |%n", spec, acc[0], seen.size(),
                    acc[3] / 1024.0 / Math.max(1, acc[0]), acc[1] / 1048576.0, acc[2]);
        }
    }

    static void cut(String spec, Path img, Set<String> seen, long[] acc) throws Exception {
        String[] p = spec.split(":");
        Chunker c = p[0].equals("cdc")
                ? new Chunker(new Chunker.Params(4096, k(p[1]), k(p[2]), k(p[3])), 0)
                : null;
        int fixed = c == null ? k(p[1]) : 0;
        int max = c == null ? fixed : c.params().max();
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.READ)) {
            long cap = ch.size();
            byte[] win = new byte[max + (64 << 20)];
            long winStart = 0;
            int winLen = 0;
            long pos = 0;
            while (pos < cap) {
                int off = (int) (pos - winStart);
                if (off + max > win.length) {
                    System.arraycopy(win, off, win, 0, winLen - off);
                    winLen -= off;
                    winStart = pos;
                    off = 0;
                }
                while (winLen - off < Math.min(max, cap - pos)) {
                    int n = (int) Math.min(win.length - winLen, cap - (winStart + winLen));
                    ByteBuffer bb = ByteBuffer.wrap(win, winLen, n);
                    while (bb.hasRemaining()) {
                        ch.read(bb, winStart + winLen + bb.position() - winLen);
                    }
                    winLen += n;
                }
                long left = cap - pos;
                int avail = (int) Math.min(winLen - off, left);
                int len = c == null ? (int) Math.min(fixed, left) : c.cut(win, off, avail, avail == left);
                acc[2]++;
                boolean zero = true;
                for (int i = off; i < off + len; i++) {
                    if (win[i] != 0) {
                        zero = false;
                        break;
                    }
                }
                if (!zero) {
                    md.update(win, off, len);
                    String h = java.util.HexFormat.of().formatHex(md.digest());
                    acc[0]++;
                    acc[3] += len;
                    if (seen.add(h)) {
                        acc[1] += len;
                    }
                }
                pos += len;
            }
        }
    }

    static int k(String s) {
        return Integer.parseInt(s) * 1024;
    }
}
