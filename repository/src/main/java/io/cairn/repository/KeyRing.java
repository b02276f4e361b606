package io.cairn.repository;

import io.cairn.repository.crypto.KeyFile;
import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.error.WrongPasswordException;
import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.format.Json;
import io.cairn.repository.lock.LockManager;
import io.cairn.repository.store.ObjectInfo;
import io.cairn.repository.store.Store;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.AEADBadTagException;

/**
 * The passwords of an encrypted repository (restic's {@code key} commands are the anchor): every key
 * file wraps the same key material under its own password, so adding, removing or changing a
 * password rewrites one small file and never re-encrypts data. Each change needs a password that
 * opens the repository now.
 */
public final class KeyRing {
    private final Store store;

    public KeyRing(Repository repo) {
        if (!repo.config().encrypted()) {
            throw new IllegalArgumentException(
                    "repository " + repo.describe() + " is not encrypted: it has no passwords to manage");
        }
        this.store = repo.store();
    }

    /** One key file as listed; {@code opens} is true for the one the given password opens. */
    public record Entry(String id, String created, String host, int version, int scryptN, boolean opens) {}

    /** Every key file; the one {@code password} opens is marked. */
    public List<Entry> list(char[] password) throws IOException {
        Opened o = opening(password);
        Arrays.fill(o.material, (byte) 0);
        String mine = o.id;
        List<Entry> out = new ArrayList<>();
        for (Loaded k : load()) {
            out.add(new Entry(
                    k.id,
                    k.file.created(),
                    k.file.host(),
                    k.file.version(),
                    k.file.kdf() == null ? 0 : k.file.kdf().N(),
                    k.id.equals(mine)));
        }
        return out;
    }

    /** Adds a password. @return the new key file's id */
    public String add(char[] current, char[] added) throws IOException {
        if (added == null || added.length == 0) {
            throw new IllegalArgumentException("the new password is empty");
        }
        byte[] material = opening(current).material;
        try {
            String key = Repository.newKeyFileKey();
            KeyFile kf = KeyFile.wrap(material, added, Instant.now().toString(), LockManager.hostName());
            store.put(key, Json.write(kf));
            store.sync();
            return idOf(key);
        } finally {
            Arrays.fill(material, (byte) 0);
        }
    }

    /**
     * Removes the key file {@code id}. Refused for the last one (the data would be lost) and for the
     * one {@code current} opens (use {@link #change}).
     */
    public void remove(char[] current, String id) throws IOException {
        Opened mine = opening(current);
        Arrays.fill(mine.material, (byte) 0);
        List<Loaded> all = load();
        Loaded target = all.stream()
                .filter(k -> k.id.equals(id))
                .findFirst()
                .orElseThrow(() -> new RepositoryException("repository " + store.describe() + " has no key " + id));
        if (target.id.equals(mine.id)) {
            throw new RepositoryException(
                    "key " + id + " is the one your password opens; change it with 'cairn key passwd' instead");
        }
        if (all.size() == 1) {
            throw new RepositoryException("key " + id + " is the repository's only key; it cannot be removed");
        }
        store.delete(FormatConstants.DIR_KEYS + "/" + id);
        store.sync();
    }

    /** Replaces the password {@code current} opens: the new key file first, then the old one removed. */
    public String change(char[] current, char[] replacement) throws IOException {
        Opened mine = opening(current);
        Arrays.fill(mine.material, (byte) 0);
        String added = add(current, replacement);
        store.delete(FormatConstants.DIR_KEYS + "/" + mine.id);
        store.sync();
        return added;
    }

    private record Loaded(String id, KeyFile file) {}

    /** The key file a password opens and the material it unwrapped (zeroed by the caller). */
    private record Opened(String id, byte[] material) {}

    private List<Loaded> load() throws IOException {
        List<ObjectInfo> files = new ArrayList<>();
        store.list(FormatConstants.DIR_KEYS + "/", files::add);
        List<Loaded> out = new ArrayList<>();
        for (ObjectInfo f : files) {
            try {
                out.add(new Loaded(idOf(f.key()), Json.read(store.get(f.key()), KeyFile.class)));
            } catch (IOException e) {
                // a damaged key file is listed by nobody and opens nothing
            }
        }
        return out;
    }

    private Opened opening(char[] password) throws IOException {
        if (password == null || password.length == 0) {
            throw new RepositoryException("a password of repository " + store.describe() + " is needed");
        }
        for (Loaded k : load()) {
            try {
                return new Opened(k.id, k.file.unwrap(password));
            } catch (AEADBadTagException | IllegalArgumentException e) {
                // not this one
            }
        }
        throw new WrongPasswordException(store.describe());
    }

    private static String idOf(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }
}
