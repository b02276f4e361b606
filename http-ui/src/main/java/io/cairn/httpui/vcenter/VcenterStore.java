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
 * {@code vcenter.key} (0600, made at first use, never rewritten).
 *
 * <p>Why a key stored next to the file still helps: {@code vcenters.json} is the file that travels
 * (support bundles, configuration exports, a copy pasted into a ticket, a backup of the settings
 * without the key); alone it leaks no vCenter password. Someone who can read the whole state
 * directory as root can decrypt them, as the appliance itself must to log in unattended; the
 * appliance's disk encryption is the layer against a stolen disk.
 *
 * <p>Sealed form: base64 of {@code nonce(12) || ciphertext || tag(16)}, with the entry's id as
 * associated data, so a sealed password copied into another entry does not open.
 */
final class VcenterStore {
    static final String FILE = "vcenters.json";
    static final String KEY_FILE = "vcenter.key";
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
    }

    /** The file's layout: a version, then the entries. */
    record Contents(int version, List<Entry> vcenters) {}

    private final Path file;
    private final SecretKeySpec key;
    private final List<Entry> entries = new ArrayList<>();

    private VcenterStore(Path file, byte[] key) {
        this.file = file;
        this.key = new SecretKeySpec(key, "AES");
        Arrays.fill(key, (byte) 0);
    }

    /** Opens (or starts) the store in {@code stateDir}, creating the key on first use. */
    static VcenterStore open(Path stateDir) throws IOException {
        VcenterStore s = new VcenterStore(stateDir.resolve(FILE), key(stateDir.resolve(KEY_FILE)));
        if (Files.exists(s.file)) {
            Contents c = JSON.readValue(s.file.toFile(), Contents.class);
            if (c.version() != 1) {
                throw new IOException(s.file + " has version " + c.version() + "; this cairn reads version 1");
            }
            if (c.vcenters() != null) {
                s.entries.addAll(c.vcenters());
            }
        }
        return s;
    }

    private static byte[] key(Path keyFile) throws IOException {
        if (!Files.exists(keyFile)) {
            byte[] k = new byte[KEY_BYTES];
            RANDOM.nextBytes(k);
            try (FileChannel ch = FileChannel.open(
                    keyFile, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OWNER_ONLY)) {
                ch.write(ByteBuffer.wrap(k));
                ch.force(true);
                return k;
            } catch (FileAlreadyExistsException raced) {
                // another process made it first: read theirs
            }
        }
        byte[] k = Files.readAllBytes(keyFile);
        if (k.length != KEY_BYTES) {
            throw new IOException(keyFile + " is " + k.length + " bytes, not a " + KEY_BYTES + "-byte key");
        }
        return k;
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
        byte[] bytes = JSON.writeValueAsBytes(new Contents(1, next));
        Path tmp = file.resolveSibling(FILE + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel ch =
                FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OWNER_ONLY)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        entries.clear();
        entries.addAll(next);
    }

    /** Seals a password for the entry {@code id}. */
    String seal(String id, char[] password) {
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
            c.updateAAD(id.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = c.doFinal(plain, 0, len);
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available", e);
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
            c.updateAAD(e.id().getBytes(StandardCharsets.UTF_8));
            plain = c.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES);
            java.nio.CharBuffer cb = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(plain));
            char[] out = new char[cb.remaining()];
            cb.get(out);
            Arrays.fill(cb.array(), '\0');
            return out;
        } catch (AEADBadTagException bad) {
            throw new SealedPasswordException(
                    "the stored password of vCenter connection '" + e.name() + "' cannot be decrypted with " + KEY_FILE
                            + " (was the key replaced?); edit the connection and enter the password again");
        } catch (GeneralSecurityException gse) {
            throw new IllegalStateException("AES-256-GCM is not available", gse);
        } finally {
            if (plain != null) {
                Arrays.fill(plain, (byte) 0);
            }
        }
    }
}
