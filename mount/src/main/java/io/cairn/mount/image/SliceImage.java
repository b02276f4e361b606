package io.cairn.mount.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A volume inside other images: a partition (one segment) or a linear logical volume (one segment
 * per LVM segment, possibly on several disks). Segments are laid end to end in order.
 */
public final class SliceImage implements Image {

    /** {@code length} bytes of {@code image} starting at {@code offset}. */
    public record Segment(Image image, long offset, long length) {
        public Segment {
            if (offset < 0 || length < 0 || offset + length > image.size()) {
                throw new IllegalArgumentException(
                        "segment [" + offset + ", +" + length + ") is outside a " + image.size() + "-byte image");
            }
        }
    }

    private final List<Segment> segments;
    private final long[] starts;
    private final long size;

    public SliceImage(List<Segment> segments) {
        this.segments = List.copyOf(segments);
        this.starts = new long[this.segments.size()];
        long pos = 0;
        for (int i = 0; i < starts.length; i++) {
            starts[i] = pos;
            pos += this.segments.get(i).length();
        }
        this.size = pos;
    }

    public static SliceImage of(Image image, long offset, long length) {
        return new SliceImage(List.of(new Segment(image, offset, length)));
    }

    public List<Segment> segments() {
        return segments;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int read(long position, ByteBuffer dst) throws IOException {
        if (position >= size) {
            return -1;
        }
        int total = 0;
        int i = segmentAt(position);
        while (dst.hasRemaining() && i < segments.size()) {
            Segment s = segments.get(i);
            long within = position + total - starts[i];
            int want = (int) Math.min(dst.remaining(), s.length() - within);
            ByteBuffer view = dst.slice().limit(want);
            while (view.hasRemaining()) {
                int n = s.image().read(s.offset() + within + view.position(), view);
                if (n <= 0) {
                    throw new java.io.EOFException("volume segment " + i + " ended early");
                }
            }
            dst.position(dst.position() + want);
            total += want;
            i++;
        }
        return total;
    }

    private int segmentAt(long position) {
        int lo = 0;
        int hi = starts.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (starts[mid] <= position) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (Segment s : segments) {
            parts.add(s.offset() + "+" + s.length());
        }
        return "slice" + parts;
    }
}
