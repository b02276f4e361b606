package io.cairn.repository.store;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Bytes by key: the bottom of the stack. Keys are {@code /}-separated relative names
 * ({@code chunks/3fa2/3fa2…}); the layout is documented in {@code docs/repository-format.md}.
 *
 * <p>The contract is deliberately what an object store offers, so that an S3 implementation maps
 * 1:1: whole-object writes that are atomic (readers see the old object or the new one, never a
 * part), whole-object reads, prefix listings, deletes. {@link #sync()} is the only local-filesystem
 * concept: after it returns, every completed {@link #put} survives a power loss.
 */
public interface Store {

    /** A short name for messages, such as {@code local:/srv/repo}. */
    String describe();

    /**
     * Writes an object atomically, replacing any object of that key. When this returns the object's
     * bytes are durable; its name is durable after the next {@link #sync()}.
     *
     * <p>Keys under {@code chunks/}, {@code backups/}, {@code keys/} and {@code quarantine/} are
     * write-once: cairn never writes one twice with a different meaning (a chunk's name is its
     * content's id; a backup's files sit under a random id). An object store keeps the first object
     * of such a key (a conditional PUT, so two writers cannot overwrite each other); writing the same
     * bytes again succeeds everywhere.
     */
    void put(String key, byte[] data, int offset, int length) throws IOException;

    default void put(String key, byte[] data) throws IOException {
        put(key, data, 0, data.length);
    }

    /**
     * A group of writes whose durability is settled together, for a writer of many objects (a
     * backup's chunks). Each {@link #put} is atomic as {@link Store#put}, but its bytes and name need
     * only be durable — and the object visible — once {@link #finish} returns; an object is never
     * visible with bytes that are not durable. Failures belong to the batch: they surface from a
     * later {@link #put} or from {@link #finish}, never in another batch.
     */
    interface Batch {
        void put(String key, byte[] data, int offset, int length) throws IOException;

        /** Waits until every write of this batch is durable and named, then reports its first failure. */
        void finish() throws IOException;
    }

    /** A new batch. The default writes each object with {@link #put} at once. */
    default Batch batch() {
        return new Batch() {
            @Override
            public void put(String key, byte[] data, int offset, int length) throws IOException {
                Store.this.put(key, data, offset, length);
            }

            @Override
            public void finish() {}
        };
    }

    /** Reads a whole object. @throws io.cairn.repository.error.ObjectNotFoundException if it does not exist */
    byte[] get(String key) throws IOException;

    /** Reads the first {@code length} bytes (fewer if the object is shorter). */
    byte[] getPrefix(String key, int length) throws IOException;

    Optional<ObjectInfo> stat(String key) throws IOException;

    /**
     * Renews the object's modification time, so that garbage collection's safety margin counts from
     * now, give or take {@link #touchResolution()}. @return false if the object does not exist
     */
    boolean touch(String key) throws IOException;

    /**
     * How much older than "now" an object's modification time may still be after {@link #touch}:
     * zero for a filesystem; an object store, where renewing a time means copying the object onto
     * itself, renews only objects older than this. Garbage collection moves its cutoff back by it.
     */
    default Duration touchResolution() {
        return Duration.ZERO;
    }

    /**
     * Deletes an object; deleting a missing object is not an error.
     * @throws ObjectLockedException if the store refuses because the object is under retention
     */
    void delete(String key) throws IOException;

    /** Visits every object whose key starts with {@code prefix} (a directory such as {@code chunks/}). */
    void list(String prefix, Visitor visitor) throws IOException;

    /** Makes every completed write's name durable (fsync of the directories written to). */
    void sync() throws IOException;

    /**
     * Removes what interrupted writes left behind (local temporary files) older than {@code before}.
     * @return how many were removed
     */
    int removeAbandonedWrites(Instant before) throws IOException;

    /** Counts the abandoned writes {@link #removeAbandonedWrites} would consider. */
    int countAbandonedWrites() throws IOException;

    @FunctionalInterface
    interface Visitor {
        void visit(ObjectInfo info) throws IOException;
    }
}
