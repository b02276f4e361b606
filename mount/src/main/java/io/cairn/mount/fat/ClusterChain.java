package io.cairn.mount.fat;

import java.io.IOException;
import java.util.Arrays;

/**
 * The clusters of one file or directory in file order, stored as runs of consecutive cluster
 * numbers: a contiguous file of any size is one run, so reading it is one {@code Image.read}
 * per request and locating an offset is a binary search over the runs.
 *
 * <p>The chain is walked once, to its end-of-chain mark, with checks that make a damaged FAT fail
 * instead of hang ("FAT Data Structure" in the FAT32 File System Specification 1.03):
 * <ul>
 *   <li>every link must be a valid data cluster (no free, bad, reserved or out-of-range value);</li>
 *   <li>a loop is found by Brent's cycle detection (constant memory, found within a few times the
 *       loop's length), and the walk is also capped at the volume's cluster count, which no valid
 *       chain can exceed. So the memory of a chain is bounded by the cluster count too.</li>
 * </ul>
 * Immutable once built.
 */
final class ClusterChain {

    private final long first;
    /** File cluster index at which run i starts; ascending, runFileStart[0] == 0. */
    private final long[] runFileStart;
    /** Volume cluster number at which run i starts. */
    private final long[] runCluster;

    private final int runs;
    private final long length;

    private ClusterChain(long first, long[] runFileStart, long[] runCluster, int runs, long length) {
        this.first = first;
        this.runFileStart = runFileStart;
        this.runCluster = runCluster;
        this.runs = runs;
        this.length = length;
    }

    /** Walks the chain starting at {@code first}. */
    static ClusterChain walk(FatTable fat, BootSector boot, long first) throws IOException {
        long max = boot.maxCluster();
        if (first < 2 || first > max) {
            throw new FatFormatException(
                    "broken cluster chain: first cluster " + first + " is outside the valid range 2 to " + max);
        }
        long[] fileStart = new long[4];
        long[] cluster = new long[4];
        int runs = 1;
        fileStart[0] = 0;
        cluster[0] = first;
        long length = 1;

        // Brent: the tortoise jumps to the hare at every power of two steps; the hare meets it
        // again only by going round a loop.
        long tortoise = first;
        long power = 1;
        long lambda = 0;
        long current = first;
        while (true) {
            long next = fat.next(current);
            if (next == FatTable.END_OF_CHAIN) {
                break;
            }
            if (next == tortoise) {
                throw new FatFormatException("broken cluster chain starting at cluster " + first
                        + ": it loops back to cluster " + next + " after " + length + " clusters");
            }
            if (++lambda == power) {
                tortoise = next;
                power <<= 1;
                lambda = 0;
            }
            if (++length > boot.clusterCount) {
                throw new FatFormatException("broken cluster chain starting at cluster " + first
                        + ": longer than the volume's " + boot.clusterCount + " clusters (a loop)");
            }
            int last = runs - 1;
            if (next != cluster[last] + (length - 1 - fileStart[last])) {
                if (runs == fileStart.length) {
                    fileStart = Arrays.copyOf(fileStart, runs * 2);
                    cluster = Arrays.copyOf(cluster, runs * 2);
                }
                fileStart[runs] = length - 1;
                cluster[runs] = next;
                runs++;
            }
            current = next;
        }
        return new ClusterChain(first, Arrays.copyOf(fileStart, runs), Arrays.copyOf(cluster, runs), runs, length);
    }

    long first() {
        return first;
    }

    /** Number of clusters in the chain (at least 1). */
    long length() {
        return length;
    }

    /** Number of runs of consecutive clusters. */
    int runs() {
        return runs;
    }

    /** Volume cluster number of the file's cluster {@code index} (0 .. length - 1). */
    long clusterAt(long index) {
        int r = runOf(index);
        return runCluster[r] + (index - runFileStart[r]);
    }

    /**
     * How many clusters, starting at file cluster {@code index}, are consecutive on the volume
     * (at least 1).
     */
    long contiguousFrom(long index) {
        int r = runOf(index);
        long end = r + 1 < runs ? runFileStart[r + 1] : length;
        return end - index;
    }

    private int runOf(long index) {
        if (index < 0 || index >= length) {
            throw new IndexOutOfBoundsException("cluster index " + index + " of a " + length + "-cluster chain");
        }
        int lo = 0;
        int hi = runs - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (runFileStart[mid] <= index) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }
}
