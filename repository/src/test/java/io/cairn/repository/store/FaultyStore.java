package io.cairn.repository.store;

import io.cairn.repository.error.ObjectNotFoundException;
import io.cairn.repository.error.RepositoryException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A {@link Store} that wraps another and misbehaves on purpose, after Kopia's
 * {@code blobtesting.FaultyStorage}: a full disk ({@link StoreFullException}, as {@link LocalStore}
 * raises it), failed writes, and read faults (corrupt bytes, a missing object, a slow read), each for
 * the keys a regular expression matches and for chosen calls only.
 *
 * <pre>{@code
 * FaultyStore s = new FaultyStore(new MemoryStore());
 * s.writes("chunks/.*").after(3).full();                  // the 4th chunk write and every later one: disk full
 * Fault f = s.reads("chunks/3f/3fa2.*").times(1).corrupt(); // the next read of that chunk returns a flipped byte
 * s.reads(".*").slow(Duration.ofMillis(5));               // every read waits 5 ms first
 * ...
 * assertEquals(1, f.fired());                              // the fault really happened
 * }</pre>
 *
 * <p>Faults are checked in the order they were added; the first one that fires decides the call. A
 * failed write writes nothing, as an atomic put would. Without faults the wrapper passes the
 * {@link StoreContractTest} (see {@code FaultyStoreContractTest}). Thread-safe: rules may be added and
 * cleared while other threads use the store.
 */
public final class FaultyStore implements Store {

    /** The store operations a fault can apply to. */
    public enum Op {
        PUT,
        GET,
        GET_PREFIX,
        STAT,
        TOUCH,
        DELETE,
        LIST,
        SYNC
    }

    /** The reads a {@link #reads} fault applies to: the two that return an object's bytes. */
    private static final Set<Op> READS = EnumSet.of(Op.GET, Op.GET_PREFIX);

    /** Where {@link Fault#missing()} also hides the object, so the store is consistent about its absence. */
    private static final Set<Op> PRESENCE = EnumSet.of(Op.GET, Op.GET_PREFIX, Op.STAT, Op.TOUCH, Op.LIST);

    private final Store inner;
    private final AtomicLong budget = new AtomicLong(Long.MAX_VALUE);
    private final List<Fault> faults = new CopyOnWriteArrayList<>();

    public FaultyStore(Store inner) {
        this.inner = inner;
    }

    /**
     * After {@code bytes} more bytes of puts, every put fails with {@link StoreFullException}
     * ("No space left on device"), as on a full filesystem; {@code Long.MAX_VALUE} lifts the limit.
     */
    public void diskFullAfter(long bytes) {
        budget.set(bytes);
    }

    /** Shortcut: every put of a key {@code p} accepts fails with an injected {@link RepositoryException}. */
    public void failPutsWhere(Predicate<String> p) {
        faults.removeIf(f -> f.shortcut);
        Fault f = new Fault(EnumSet.of(Op.PUT), p, "keys chosen by a predicate");
        f.shortcut = true;
        f.fail();
    }

    /** A fault for the reads of an object's bytes ({@code get}, {@code getPrefix}) of matching keys. */
    public Fault reads(String keyRegex) {
        return on(keyRegex, READS);
    }

    /** A fault for the puts of matching keys. */
    public Fault writes(String keyRegex) {
        return on(keyRegex, EnumSet.of(Op.PUT));
    }

    /** A fault for the given operations on matching keys ({@code sync} has no key: it matches every pattern). */
    public Fault on(String keyRegex, Set<Op> ops) {
        Pattern p = Pattern.compile(keyRegex);
        return new Fault(EnumSet.copyOf(ops), k -> p.matcher(k).matches(), keyRegex);
    }

    /** Removes every fault and the byte budget: the store behaves like the one it wraps again. */
    public void clear() {
        faults.clear();
        budget.set(Long.MAX_VALUE);
    }

    /**
     * One configured fault: which operations and keys, which of the matching calls (skip the first
     * {@link #after}, then fire {@link #times}), and what happens ({@link #full}, {@link #fail},
     * {@link #corrupt}, {@link #missing}, {@link #slow}). Nothing happens until one of those is called.
     */
    public final class Fault {
        private final Set<Op> ops;
        private final Predicate<String> keys;
        private final String description;
        private final AtomicLong calls = new AtomicLong();
        private final AtomicLong fired = new AtomicLong();
        private volatile long after;
        private volatile long times = Long.MAX_VALUE;
        private Kind kind;
        private Duration delay = Duration.ZERO;
        private int corruptOffset = -1;
        private boolean shortcut;

        private Fault(Set<Op> ops, Predicate<String> keys, String description) {
            this.ops = ops;
            this.keys = keys;
            this.description = description;
        }

        /** Lets the first {@code n} matching calls through unharmed. */
        public Fault after(long n) {
            after = n;
            return this;
        }

        /** Fires for {@code n} matching calls (after the skipped ones), then never again. */
        public Fault times(long n) {
            times = n;
            return this;
        }

        /** Puts fail with {@link StoreFullException} and write nothing. */
        public Fault full() {
            return arm(Kind.FULL);
        }

        /** The call fails with a {@link RepositoryException} saying the fault was injected. */
        public Fault fail() {
            return arm(Kind.FAIL);
        }

        /**
         * Reads return the object's bytes with the last byte inverted (bit rot on the medium). A blob's
         * CRC covers it, so {@code BlobCodec} must notice.
         */
        public Fault corrupt() {
            return corrupt(-1);
        }

        /**
         * Reads return the object's bytes with the byte at {@code offset} inverted (-1: the last byte);
         * a {@code get} of an object too short for it fails with {@link IllegalStateException}.
         */
        public Fault corrupt(int offset) {
            corruptOffset = offset;
            return arm(Kind.CORRUPT);
        }

        /**
         * The object is gone: reads throw {@link ObjectNotFoundException}, and when the fault covers
         * them, {@code stat} finds nothing, {@code touch} returns false and {@code list} leaves it out.
         * {@link FaultyStore#reads} faults that go missing cover all of those, so the store stays
         * consistent about the absence.
         */
        public Fault missing() {
            unarmed();
            if (ops.equals(READS)) {
                ops.addAll(PRESENCE);
            }
            return arm(Kind.MISSING);
        }

        /** The call waits {@code d} and then proceeds normally: a slow disk or a congested network. */
        public Fault slow(Duration d) {
            delay = d;
            return arm(Kind.SLOW);
        }

        /** How many calls this fault has harmed so far. */
        public long fired() {
            return fired.get();
        }

        private void unarmed() {
            if (kind != null) {
                throw new IllegalStateException("this fault is already " + this);
            }
        }

        private Fault arm(Kind k) {
            unarmed();
            kind = k;
            faults.add(this);
            return this;
        }

        /** Counts a matching call and says whether the fault fires for it. */
        private boolean fires(Op op, String key) {
            if (!ops.contains(op) || (key != null && !keys.test(key))) {
                return false;
            }
            long i = calls.getAndIncrement();
            if (i < after || i - after >= times) {
                return false;
            }
            fired.incrementAndGet();
            return true;
        }

        @Override
        public String toString() {
            return kind + " on " + ops + " of " + description;
        }
    }

    private enum Kind {
        FULL,
        FAIL,
        CORRUPT,
        MISSING,
        SLOW
    }

    /** The first fault that fires for this call, after sleeping for a slow one; null if none. */
    private Fault fault(Op op, String key) throws IOException {
        for (Fault f : faults) {
            if (f.fires(op, key)) {
                if (f.kind == Kind.SLOW) {
                    sleep(f.delay);
                    continue; // slow, then whatever else applies (or the real call)
                }
                return f;
            }
        }
        return null;
    }

    private static void sleep(Duration d) throws InterruptedIOException {
        try {
            Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("slow store read interrupted");
        }
    }

    private RepositoryException injected(String what, String key) {
        return new RepositoryException(what + " " + key + " in " + describe() + " failed: injected fault");
    }

    private StoreFullException full(String key) {
        // The message LocalStore gives for ENOSPC.
        return new StoreFullException(
                "writing " + key + " in " + describe() + " failed: No space left on device", null);
    }

    /**
     * Inverts the byte at {@code offset} (-1: the last byte). A whole object shorter than that means the
     * test aimed at the wrong place, and says so rather than silently returning good bytes; a prefix
     * shorter than that is returned unharmed, as the damage lies beyond what was read.
     */
    private static byte[] corrupt(Op op, String key, byte[] data, int offset) {
        int at = offset < 0 ? data.length - 1 : offset;
        if (at >= 0 && at < data.length) {
            data[at] = (byte) ~data[at];
        } else if (op == Op.GET) {
            throw new IllegalStateException(
                    "cannot corrupt byte " + offset + " of " + key + ": it has only " + data.length + " bytes");
        }
        return data;
    }

    /** Applies a read fault (or none) to the bytes of {@code key}. */
    private byte[] read(Op op, String key, ReadCall call) throws IOException {
        Fault f = fault(op, key);
        if (f == null) {
            return call.read();
        }
        if (f.kind == Kind.MISSING) {
            throw new ObjectNotFoundException(key, describe());
        }
        if (f.kind == Kind.CORRUPT) {
            return corrupt(op, key, call.read(), f.corruptOffset);
        }
        throw injected("reading", key);
    }

    @FunctionalInterface
    private interface ReadCall {
        byte[] read() throws IOException;
    }

    @Override
    public String describe() {
        return "faulty:" + inner.describe();
    }

    @Override
    public void put(String key, byte[] data, int offset, int length) throws IOException {
        Fault f = fault(Op.PUT, key);
        if (f != null) {
            throw f.kind == Kind.FULL ? full(key) : injected("writing", key);
        }
        if (budget.addAndGet(-length) < 0) {
            budget.addAndGet(length); // nothing was written
            throw full(key);
        }
        inner.put(key, data, offset, length);
    }

    @Override
    public byte[] get(String key) throws IOException {
        return read(Op.GET, key, () -> inner.get(key));
    }

    @Override
    public byte[] getPrefix(String key, int length) throws IOException {
        return read(Op.GET_PREFIX, key, () -> inner.getPrefix(key, length));
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
        Fault f = fault(Op.STAT, key);
        if (f == null || f.kind == Kind.CORRUPT) {
            return inner.stat(key);
        }
        if (f.kind == Kind.MISSING) {
            return Optional.empty();
        }
        throw injected("reading attributes of", key);
    }

    @Override
    public boolean touch(String key) throws IOException {
        Fault f = fault(Op.TOUCH, key);
        if (f == null || f.kind == Kind.CORRUPT) {
            return inner.touch(key);
        }
        if (f.kind == Kind.MISSING) {
            return false;
        }
        throw injected("touching", key);
    }

    @Override
    public void delete(String key) throws IOException {
        Fault f = fault(Op.DELETE, key);
        if (f != null && f.kind != Kind.CORRUPT && f.kind != Kind.MISSING) {
            throw injected("deleting", key);
        }
        inner.delete(key);
    }

    @Override
    public void list(String prefix, Visitor visitor) throws IOException {
        inner.list(prefix, info -> {
            Fault f = fault(Op.LIST, info.key());
            if (f == null || f.kind == Kind.CORRUPT) {
                visitor.visit(info);
            } else if (f.kind != Kind.MISSING) {
                throw injected("listing", prefix);
            }
        });
    }

    @Override
    public void sync() throws IOException {
        Fault f = fault(Op.SYNC, null);
        if (f != null && f.kind != Kind.CORRUPT && f.kind != Kind.MISSING) {
            throw f.kind == Kind.FULL ? full("(sync)") : injected("syncing", "the store");
        }
        inner.sync();
    }

    @Override
    public Duration touchResolution() {
        return inner.touchResolution();
    }

    @Override
    public int removeAbandonedWrites(Instant before) throws IOException {
        return inner.removeAbandonedWrites(before);
    }

    @Override
    public int countAbandonedWrites() throws IOException {
        return inner.countAbandonedWrites();
    }
}
