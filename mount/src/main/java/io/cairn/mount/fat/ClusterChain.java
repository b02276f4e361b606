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
 *       chain can exceed;</li>
 *   <li>the walk stops at the caller's limit: the clusters a file's size needs, or the most a
 *       directory may span. A hostile volume may claim a chain as long as its cluster count (2^28
 *       on FAT32); only what is read is walked, so time and memory follow the bytes asked for;</li>
 *   <li>at most {@value #MAX_RUNS} runs of consecutive clusters are kept (16 MiB): a chain more
 *       fragmented than that is refused rather than filling the heap.</li>
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
    private final boolean complete;

    /** Runs kept at most: 16 bytes each. */
    static final int MAX_RUNS = 1 << 20;

    private ClusterChain(long first, long[] runFileStart, long[] runCluster, int runs, long length, boolean complete) {
        this.first = first;
        this.runFileStart = runFileStart;
        this.runCluster = runCluster;
        this.runs = runs;
        this.length = length;
        this.complete = complete;
    }

    /** Walks the whole chain starting at {@code first}. */
    static ClusterChain walk(FatTable fat, BootSector boot, long first) throws IOException {
        return walk(fat, boot, first, Long.MAX_VALUE);
    }

    /**
     * Walks the chain starting at {@code first} up to its end-of-chain mark or {@code limit}
     * clusters, whichever comes first ({@link #complete} tells which).
     */
    static ClusterChain walk(FatTable fat, BootSector boot, long first, long limit) throws IOException {
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
        boolean complete = true;
        while (true) {
            if (length >= limit) {
                complete = false;
                break;
            }
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
                if (runs == MAX_RUNS) {
                    throw new FatFormatException("cluster chain starting at cluster " + first
                            + " is fragmented into more than " + MAX_RUNS + " pieces");
                }
                if (runs == fileStart.length) {
                    fileStart = Arrays.copyOf(fileStart, Math.min(MAX_RUNS, runs * 2));
                    cluster = Arrays.copyOf(cluster, runs * 2);
                }
                fileStart[runs] = length - 1;
                cluster[runs] = next;
                runs++;
            }
            current = next;
        }
        return new ClusterChain(
                first, Arrays.copyOf(fileStart, runs), Arrays.copyOf(cluster, runs), runs, length, complete);
    }

    /** False when the walk stopped at its limit before the end-of-chain mark. */
    boolean complete() {
        return complete;
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
