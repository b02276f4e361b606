package io.cairn.repository.chunk;

import io.cairn.repository.crypto.DataKeys;
import io.cairn.repository.error.CorruptObjectException;
import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.store.Store;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Chunks by id on top of a {@link Store}: computes ids, stores each distinct chunk once, and verifies
 * every chunk it returns against its id. Thread-safe.
 */
public final class ChunkStore {
    private final Store store;
    private final BlobCodec codec;
    private final DataKeys keys;
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    public ChunkStore(Store store, BlobCodec codec, DataKeys keys) {
        this.store = store;
        this.codec = codec;
        this.keys = keys;
    }

    public Store store() {
        return store;
    }

    public boolean keyed() {
        return keys != null;
    }

    public ChunkId id(byte[] data, int off, int len) {
        if (keys != null) {
            return ChunkId.of(keys.id(data, off, len));
        }
        MessageDigest md = SHA256.get();
        md.update(data, off, len);
        return ChunkId.of(md.digest());
    }

    /** Outcome of {@link #put}: whether the chunk was new and how many bytes it occupies. */
    public record PutResult(boolean stored, long storedBytes) {}

    /**
     * Stores a chunk unless a chunk of that id exists; an existing chunk's modification time is
     * renewed so that a concurrent garbage collection's safety margin protects it.
     */
    public PutResult put(ChunkId id, byte[] data, int off, int len) throws IOException {
        return put(id, data, off, len, null);
    }

    /**
     * As {@link #put(ChunkId, byte[], int, int)}, written through {@code batch} (durable once the
     * batch finishes), or at once when it is null.
     */
    public PutResult put(ChunkId id, byte[] data, int off, int len, Store.Batch batch) throws IOException {
        String key = id.key();
        if (store.touch(key)) {
            return new PutResult(false, 0);
        }
        byte[] blob = codec.encode(FormatConstants.BLOB_TYPE_CHUNK, id.bytes(), data, off, len);
        if (batch == null) {
            store.put(key, blob);
        } else {
            batch.put(key, blob, 0, blob.length);
        }
        return new PutResult(true, blob.length);
    }

    /**
     * Reads, decodes and verifies a chunk.
     * @throws CorruptObjectException if the bytes fail any check, including their id
     * @throws io.cairn.repository.error.ObjectNotFoundException if the chunk is missing
     */
    public byte[] get(ChunkId id) throws IOException {
        String key = id.key();
        return verify(id, key, store.get(key));
    }

    /** Decodes stored bytes of chunk {@code id} and checks that they hash to it. */
    public byte[] verify(ChunkId id, String key, byte[] blob) throws CorruptObjectException {
        byte[] plain = codec.decode(FormatConstants.BLOB_TYPE_CHUNK, id.bytes(), key, blob);
        if (!id(plain, 0, plain.length).equals(id)) {
            throw new CorruptObjectException(key, "content does not match its id");
        }
        return plain;
    }

    /**
     * Renews a stored chunk's modification time, so that gc's cutoff protects it as if it had just
     * been written. @return false when the chunk is not stored (never written, or quarantined)
     */
    public boolean renew(ChunkId id) throws IOException {
        return store.touch(id.key());
    }

    public boolean exists(ChunkId id) throws IOException {
        return store.stat(id.key()).isPresent();
    }

    /** Plaintext length recorded in a chunk's header, read without decoding the chunk. */
    public int plaintextLength(String key) throws IOException {
        return BlobCodec.Header.parse(store.getPrefix(key, FormatConstants.BLOB_HEADER_SIZE), key)
                .plainLength();
    }
}
