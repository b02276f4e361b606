package io.cairn.httpui.vcenter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The saved vCenter connections: {@code vcenters.json} in the web UI's state directory (0600,
 * replaced atomically), each password sealed with AES-256-GCM under the random 256-bit key in
 * {@code vcenter.key} (0600, made at first use).
 *
 * <p>Why a key stored next to the file still helps: {@code vcenters.json} is the file that travels
 * (support bundles, configuration exports, a copy pasted into a ticket, a backup of the settings
 * without the key); alone it leaks no vCenter password. Someone who can read the whole state
 * directory as root can decrypt them, as the appliance itself must to log in unattended; the
 * appliance's disk encryption is the layer against a stolen disk.
 *
 * <p>Sealed form: base64 of {@code nonce(12) || ciphertext || tag(16)}. The associated data binds
 * the password to where it may be sent: the entry's id, URL, user, thumbprint and insecure flag
 * ({@link #associatedData}), so a sealed password copied into another entry, or an entry whose URL
 * or certificate check was changed by hand, does not open.
 *
 * <p>Versions (docs/web-ui.md): {@code vcenters.json} version 1 sealed with the id alone. It is read
 * only while {@code vcenter.key} is still the bare 32 bytes of version 1 (or is being made now): it
 * is then re-sealed as version 2 at once, and the key file is rewritten as version 2 (a header
 * before the same key). From then on a version-1 {@code vcenters.json} is refused, so putting an
 * old-format file back cannot bring the weaker binding back.
 */
final class VcenterStore {
    static final String FILE = "vcenters.json";
    static final String KEY_FILE = "vcenter.key";
    /** The {@code vcenters.json} version written; never reuse a number for another layout. */
    static final int VERSION = 2;
    /** The header of {@code vcenter.key} version 2, before the key; never change. */
    static final byte[] KEY_MAGIC = {'C', 'V', 'K', 'E', 'Y', 2};
    /** What the associated data of version 2 starts with; never change. */
    private static final String AAD_TAG = "cairn vcenter password v2";

    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * One saved connection as stored.
     *
     * @param sealedPassword see the class comment; never leaves this package
     */
    record Entry(
            String id,
            String name,
            String url,
            String user,
            String thumbprint,
            boolean insecure,
            String sealedPassword,
            LastTest lastTest) {
        Entry withLastTest(LastTest t) {
            return new Entry(id, name, url, user, thumbprint, insecure, sealedPassword, t);
        }

        Entry withSealedPassword(String sealed) {
            return new Entry(id, name, url, user, thumbprint, insecure, sealed, lastTest);
        }
    }

    /** The file's layout: a version, then the entries. */
    record Contents(int version, List<Entry> vcenters) {}

    /** The key and whether its file is still version 1 (the bare key). */
    private record Key(byte[] bytes, boolean legacy) {}

    private final Path file;
    private final SecretKeySpec key;
    private final List<Entry> entries = new ArrayList<>();

    private VcenterStore(Path file, byte[] key) {
        this.file = file;
        this.key = new SecretKeySpec(key, "AES");
    }

    /**
     * Opens (or starts) the store in {@code stateDir}, creating the key on first use and moving
     * version-1 files to version 2 (see the class comment).
     *
     * @throws IOException when a file cannot be read, has a version this cairn does not read, or is a
     *     version-1 {@code vcenters.json} next to a version-2 key
     */
    static VcenterStore open(Path stateDir) throws IOException {
        Path keyFile = stateDir.resolve(KEY_FILE);
        Key k = key(keyFile);
        VcenterStore s = new VcenterStore(stateDir.resolve(FILE), k.bytes());
        try {
            if (Files.exists(s.file)) {
                Contents c = JSON.readValue(s.file.toFile(), Contents.class);
                List<Entry> read = c.vcenters() == null ? List.of() : c.vcenters();
                if (c.version() == VERSION) {
                    s.entries.addAll(read);
                } else if (c.version() == 1 && k.legacy()) {
                    s.save(s.resealed(read));
                } else if (c.version() == 1) {
                    throw new IOException(s.file + " has version 1, but " + keyFile + " was already moved to version 2:"
                            + " a version-1 file was put back by hand and is not trusted; restore the current file"
                            + " or add the connections again");
                } else {
                    throw new IOException(
                            s.file + " has version " + c.version() + "; this cairn reads versions 1 and " + VERSION);
                }
            }
            if (k.legacy()) {
                writeKey(keyFile, k.bytes()); // after the file: a crash in between only repeats this step
            }
        } finally {
            Arrays.fill(k.bytes(), (byte) 0);
        }
        return s;
    }

    /**
     * Version-1 entries sealed again with the version-2 binding. One whose password does not open
     * (damaged, another key) is kept as it is: it did not open before either, and still asks for the
     * password to be entered again.
     */
    private List<Entry> resealed(List<Entry> v1) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : v1) {
            char[] pw = null;
            try {
                pw = open(e, e.id().getBytes(StandardCharsets.UTF_8));
                out.add(e.withSealedPassword(seal(e, pw)));
            } catch (SealedPasswordException damaged) {
                out.add(e);
            } finally {
                if (pw != null) {
                    Arrays.fill(pw, '\0');
                }
            }
        }
        return out;
    }

    /** Reads the key file (version 1: the bare key; 2: {@link #KEY_MAGIC} then the key), making a version-2 one when absent. */
    private static Key key(Path keyFile) throws IOException {
        if (!Files.exists(keyFile)) {
            byte[] k = new byte[KEY_BYTES];
            RANDOM.nextBytes(k);
            try (FileChannel ch = FileChannel.open(
                    keyFile, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OWNER_ONLY)) {
                ByteBuffer b = ByteBuffer.allocate(KEY_MAGIC.length + KEY_BYTES);
                b.put(KEY_MAGIC).put(k).flip();
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
                // a key made now has sealed nothing yet: whatever vcenters.json holds may be moved to version 2
                return new Key(k, true);
            } catch (FileAlreadyExistsException raced) {
                // another process made it first: read theirs
            }
        }
        byte[] raw = Files.readAllBytes(keyFile);
        try {
            if (raw.length == KEY_BYTES) {
                return new Key(raw.clone(), true);
            }
            if (raw.length == KEY_MAGIC.length + KEY_BYTES
                    && Arrays.equals(Arrays.copyOf(raw, KEY_MAGIC.length), KEY_MAGIC)) {
                return new Key(Arrays.copyOfRange(raw, KEY_MAGIC.length, raw.length), false);
            }
            throw new IOException(keyFile + " is " + raw.length + " bytes, not a vCenter password key");
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /** Rewrites the key file as version 2 (the same key after the header): temporary file, fsync, rename. */
    private static void writeKey(Path keyFile, byte[] k) throws IOException {
        byte[] out = new byte[KEY_MAGIC.length + KEY_BYTES];
        System.arraycopy(KEY_MAGIC, 0, out, 0, KEY_MAGIC.length);
        System.arraycopy(k, 0, out, KEY_MAGIC.length, KEY_BYTES);
        try {
            replace(keyFile, out);
        } finally {
            Arrays.fill(out, (byte) 0);
        }
    }

    synchronized List<Entry> list() {
        return List.copyOf(entries);
    }

    synchronized Entry get(String id) {
        for (Entry e : entries) {
            if (e.id().equals(id)) {
                return e;
            }
        }
        return null;
    }

    /** Adds or replaces (by id) an entry and saves. */
    synchronized void put(Entry e) throws IOException {
        List<Entry> next = new ArrayList<>(entries);
        next.removeIf(x -> x.id().equals(e.id()));
        next.add(e);
        save(next);
    }

    /** Removes an entry and saves; false if there was none. */
    synchronized boolean remove(String id) throws IOException {
        List<Entry> next = new ArrayList<>(entries);
        if (!next.removeIf(x -> x.id().equals(id))) {
            return false;
        }
        save(next);
        return true;
    }

    private void save(List<Entry> next) throws IOException {
        replace(file, JSON.writeValueAsBytes(new Contents(VERSION, next)));
        entries.clear();
        entries.addAll(next);
    }

    /** Replaces a 0600 file atomically: temporary file, fsync, rename, fsync of the directory. */
    private static void replace(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel ch =
                FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OWNER_ONLY)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(target.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // some filesystems cannot fsync a directory; the rename is still atomic
        }
    }

    /**
     * The associated data of version 2: a tag, then the id, URL, user, thumbprint and insecure flag,
     * each as a 4-byte big-endian length (-1 for null) and its UTF-8 bytes, so no two different
     * entries give the same bytes.
     */
    static byte[] associatedData(Entry e) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (String f : new String[] {AAD_TAG, e.id(), e.url(), e.user(), e.thumbprint(), e.insecure() ? "1" : "0"}) {
            byte[] v = f == null ? null : f.getBytes(StandardCharsets.UTF_8);
            int n = v == null ? -1 : v.length;
            b.write(n >>> 24);
            b.write(n >>> 16);
            b.write(n >>> 8);
            b.write(n);
            if (v != null) {
                b.write(v, 0, v.length);
            }
        }
        return b.toByteArray();
    }

    /**
     * Seals a password for {@code e}, bound to its id, URL, user, thumbprint and insecure flag (its
     * own sealed password and last test do not matter).
     */
    String seal(Entry e, char[] password) {
        ByteBuffer bb = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(password));
        byte[] plain = new byte[bb.remaining()];
        bb.get(plain);
        Arrays.fill(bb.array(), (byte) 0);
        int len = plain.length;
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(associatedData(e));
            byte[] sealed = c.doFinal(plain, 0, len);
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException gse) {
            throw new IllegalStateException("AES-256-GCM is not available", gse);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /**
     * Opens the sealed password of {@code e}.
     *
     * @throws SealedPasswordException when it is damaged or the key is not the one it was sealed with
     */
    char[] open(Entry e) throws SealedPasswordException {
        return open(e, associatedData(e));
    }

    private char[] open(Entry e, byte[] aad) throws SealedPasswordException {
        byte[] in;
        try {
            in = Base64.getDecoder().decode(e.sealedPassword());
        } catch (IllegalArgumentException bad) {
            throw new SealedPasswordException(
                    "the stored password of vCenter connection '" + e.name() + "' is damaged");
        }
        if (in.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new SealedPasswordException(
                    "the stored password of vCenter connection '" + e.name() + "' is damaged");
        }
        byte[] plain = null;
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            c.updateAAD(aad);
            plain = c.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES);
            java.nio.CharBuffer cb = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(plain));
            char[] out = new char[cb.remaining()];
            cb.get(out);
            Arrays.fill(cb.array(), '\0');
            return out;
        } catch (AEADBadTagException bad) {
            throw new SealedPasswordException(
                    "the stored password of vCenter connection '" + e.name() + "' does not open with " + KEY_FILE
                            + " for its URL, user and certificate settings (was the key replaced, or the file edited?);"
                            + " edit the connection and enter the password again");
        } catch (GeneralSecurityException gse) {
            throw new IllegalStateException("AES-256-GCM is not available", gse);
        } finally {
            if (plain != null) {
                Arrays.fill(plain, (byte) 0);
            }
        }
    }
}
