package io.cairn.httpui.auth;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cairn.repository.crypto.Scrypt;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * The web UI's accounts: {@code users.json} in the state directory (mode 0600), each with a role and
 * a password hashed with the repository's scrypt (N=2^15, r=8, p=1, 32 bytes) and a 16-byte salt.
 * The file is replaced atomically (temporary file, fsync, rename). Thread-safe.
 */
public final class Users {
    static final int N = 1 << 15;
    static final int R = 8;
    static final int P = 1;
    private static final int HASH_LENGTH = 32;
    private static final String NAME = "[A-Za-z0-9._@-]{1,64}";
    /**
     * scrypt takes 32 MiB per call and a core: at most this many at once, so a burst of logins cannot
     * exhaust the heap or the CPU (the web UI also turns away logins beyond its {@link LoginGate}).
     */
    private static final Semaphore KDF_SLOTS = new Semaphore(2);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The first administrator, made at the server's first start. */
    public static final String FIRST_ADMIN = "admin";

    /**
     * The file in the state directory that holds the first administrator's generated password (0600),
     * until that password is changed: then it is deleted.
     */
    public static final String INITIAL_PASSWORD_FILE = "initial-admin-password";

    /** One account as stored. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record User(String name, String role, String salt, String hash, int n, int r, int p) {
        public Role roleValue() {
            return Role.parse(role);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record FileFormat(int version, List<User> users) {}

    private final Path file;
    private final Map<String, User> users = new LinkedHashMap<>();
    private final byte[] dummySalt = new byte[16];
    private List<Object> fileStamp = List.of();

    private Users(Path file) {
        this.file = file;
        RANDOM.nextBytes(dummySalt);
    }

    /** Reads {@code users.json} from the state directory (an empty list when it does not exist yet). */
    public static Users load(Path stateDir) throws IOException {
        Users u = new Users(stateDir.resolve("users.json"));
        u.fileStamp = fileStamp(u.file);
        u.users.putAll(read(u.file));
        return u;
    }

    private static Map<String, User> read(Path file) throws IOException {
        Map<String, User> out = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        FileFormat f;
        try {
            f = JSON.readValue(Files.readAllBytes(file), FileFormat.class);
        } catch (IOException e) {
            throw new IOException("the user file " + file + " is not valid: " + e.getMessage());
        }
        if (f.version() != 1) {
            throw new IOException(
                    "the user file " + file + " has version " + f.version() + "; this cairn reads version 1");
        }
        for (User x : f.users() == null ? List.<User>of() : f.users()) {
            try {
                check(x);
            } catch (IllegalArgumentException e) {
                throw new IOException("the user file " + file + " is not valid: " + e.getMessage());
            }
            if (out.putIfAbsent(x.name(), x) != null) {
                throw new IOException(
                        "the user file " + file + " is not valid: the user '" + x.name() + "' appears twice");
            }
        }
        return out;
    }

    /** What identifies one version of the file: it is replaced by rename, so a new inode, size or time means a new one. */
    private static List<Object> fileStamp(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return java.util.Arrays.asList(a.fileKey(), a.size(), a.lastModifiedTime());
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Re-reads the file when another process replaced it ({@code cairn user add} while the server
     * runs), so a new user or password counts at once. A file that became invalid is reported and
     * the users read before are kept: a typo in a hand edit does not lock everyone out.
     */
    private synchronized void refresh() {
        List<Object> now = fileStamp(file);
        if (now.equals(fileStamp)) {
            return;
        }
        try {
            Map<String, User> fresh = read(file);
            users.clear();
            users.putAll(fresh);
        } catch (IOException e) {
            // one line: a hand-edited name may hold anything
            System.err.println(
                    "cairn: " + e.getMessage().replaceAll("\\p{Cntrl}", "?") + "; keeping the users read before");
        }
        fileStamp = now;
    }

    /**
     * Refuses an entry that could not log in or would fail at login: no or a bad name, an unknown
     * role, a salt or hash that is not Base64 (the hash must be 32 bytes), or scrypt parameters
     * out of range (N a power of two, at most 2^20; r and p 1 to 16).
     */
    private static void check(User x) {
        if (x == null) {
            throw new IllegalArgumentException("an entry in 'users' is null");
        }
        if (x.name() == null || !x.name().matches(NAME)) {
            throw new IllegalArgumentException(
                    "a user has no valid name (" + (x.name() == null ? "none" : "'" + x.name() + "'") + ")");
        }
        String who = "the user '" + x.name() + "': ";
        try {
            Role.parse(x.role());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(who + e.getMessage());
        }
        Base64.Decoder b64 = Base64.getDecoder();
        byte[] salt;
        byte[] hash;
        try {
            salt = b64.decode(x.salt() == null ? "" : x.salt());
            hash = b64.decode(x.hash() == null ? "" : x.hash());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(who + "the salt or hash is not Base64");
        }
        if (salt.length == 0 || hash.length != HASH_LENGTH) {
            throw new IllegalArgumentException(who + "needs a salt and a " + HASH_LENGTH + "-byte hash");
        }
        if (x.n() < 2
                || x.n() > 1 << 20
                || (x.n() & (x.n() - 1)) != 0
                || x.r() < 1
                || x.r() > 16
                || x.p() < 1
                || x.p() > 16) {
            throw new IllegalArgumentException(
                    who + "scrypt parameters out of range (n=" + x.n() + ", r=" + x.r() + ", p=" + x.p() + ")");
        }
    }

    public synchronized boolean isEmpty() {
        refresh();
        return users.isEmpty();
    }

    public synchronized List<User> list() {
        refresh();
        return List.copyOf(users.values());
    }

    /** Adds a user or replaces the password and role of an existing one, and saves the file. */
    public void put(String name, Role role, char[] password) throws IOException {
        set(name, role, password, false, true);
    }

    /**
     * Sets a new password for an existing user, keeping the role, and saves the file. The user's
     * sessions end with it ({@link #stamp} changes).
     *
     * @throws IllegalArgumentException when there is no such user, or the password is too short
     */
    public void changePassword(String name, char[] password) throws IOException {
        set(name, null, password, true, true);
    }

    /**
     * Removes a user and saves the file; their sessions end at their next request.
     *
     * @return false when there was no such user
     */
    public synchronized boolean remove(String name) throws IOException {
        refresh();
        if (!users.containsKey(name)) {
            return false;
        }
        Map<String, User> next = new LinkedHashMap<>(users);
        next.remove(name);
        save(next);
        users.remove(name);
        fileStamp = fileStamp(file);
        if (name.equals(FIRST_ADMIN)) {
            Files.deleteIfExists(file.resolveSibling(INITIAL_PASSWORD_FILE));
        }
        return true;
    }

    /**
     * What a session of {@code name} is checked against: changes with the user's role and password
     * (every password set gets a new salt), null when there is no such user. Reads the file again
     * when another process replaced it.
     */
    public synchronized String stamp(String name) {
        refresh();
        User u = name == null ? null : users.get(name);
        return u == null ? null : u.role() + ":" + u.salt();
    }

    /**
     * @param role null to keep the existing user's role ({@code existing} must then be true)
     * @param forgetInitial whether a new password of the first admin deletes {@link #INITIAL_PASSWORD_FILE}
     */
    private void set(String name, Role role, char[] password, boolean existing, boolean forgetInitial)
            throws IOException {
        if (name == null || !name.matches(NAME)) {
            throw new IllegalArgumentException("a user name is 1 to 64 letters, digits or . _ @ -");
        }
        if (password.length < 8) {
            throw new IllegalArgumentException("a password has at least 8 characters");
        }
        if (password.length > 1024) {
            throw new IllegalArgumentException("a password has at most 1024 characters");
        }
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        byte[] hash = derive(password, salt, N, R, P);
        Base64.Encoder b64 = Base64.getEncoder();
        synchronized (this) {
            refresh(); // keep users another process added
            User old = users.get(name);
            if (existing && old == null) {
                throw new IllegalArgumentException("there is no user '" + name + "'");
            }
            String r = role != null ? role.jsonName() : old.role();
            User user = new User(name, r, b64.encodeToString(salt), b64.encodeToString(hash), N, R, P);
            Map<String, User> next = new LinkedHashMap<>(users);
            next.put(name, user);
            save(next); // first: a put that cannot be saved changes nothing
            users.put(name, user);
            fileStamp = fileStamp(file);
        }
        if (forgetInitial && name.equals(FIRST_ADMIN)) {
            // the generated password no longer opens anything: it must not lie around
            Files.deleteIfExists(file.resolveSibling(INITIAL_PASSWORD_FILE));
        }
    }

    /**
     * Makes the first administrator with a random password, written to {@link #INITIAL_PASSWORD_FILE}
     * in the state directory (0600) instead of to the terminal or the journal, where it would stay.
     *
     * @return the file that holds the password
     */
    public Path createFirstAdmin() throws IOException {
        String pw = randomPassword(20);
        Path f = file.resolveSibling(INITIAL_PASSWORD_FILE);
        writeAtomically(f, (pw + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            set(FIRST_ADMIN, Role.ADMIN, pw.toCharArray(), false, false);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(f);
            throw e;
        }
        return f;
    }

    /**
     * Deletes {@link #INITIAL_PASSWORD_FILE} when it no longer holds the first administrator's
     * password (changed by a hand edit of {@code users.json}, or the user removed), so a stale one
     * does not mislead. One scrypt call when the file exists.
     *
     * @return whether the file was deleted
     */
    public boolean forgetStaleInitialPassword() throws IOException {
        Path f = file.resolveSibling(INITIAL_PASSWORD_FILE);
        if (!Files.exists(f)) {
            return false;
        }
        char[] pw = Files.readString(f, StandardCharsets.UTF_8).strip().toCharArray();
        try {
            if (authenticate(FIRST_ADMIN, pw) == Role.ADMIN) {
                return false;
            }
        } finally {
            Arrays.fill(pw, '\0');
        }
        Files.deleteIfExists(f);
        return true;
    }

    /**
     * The user's role when the password matches, else null. An unknown name costs the same scrypt
     * call as a known one, so timing does not tell which names exist.
     */
    public Role authenticate(String name, char[] password) {
        User u;
        synchronized (this) {
            refresh();
            u = name == null ? null : users.get(name);
        }
        if (u == null) {
            derive(password, dummySalt, N, R, P);
            return null;
        }
        Base64.Decoder b64 = Base64.getDecoder();
        byte[] expected = b64.decode(u.hash());
        byte[] actual = derive(password, b64.decode(u.salt()), u.n(), u.r(), u.p());
        return MessageDigest.isEqual(expected, actual) ? u.roleValue() : null;
    }

    private static byte[] derive(char[] password, byte[] salt, int n, int r, int p) {
        ByteBuffer bb = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(password));
        byte[] pw = new byte[bb.remaining()];
        bb.get(pw);
        KDF_SLOTS.acquireUninterruptibly();
        try {
            return Scrypt.derive(pw, salt, n, r, p, HASH_LENGTH);
        } finally {
            KDF_SLOTS.release();
            Arrays.fill(pw, (byte) 0);
            if (bb.hasArray()) {
                Arrays.fill(bb.array(), (byte) 0);
            }
        }
    }

    private void save(Map<String, User> all) throws IOException {
        byte[] json = JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(new FileFormat(1, new ArrayList<>(all.values())));
        writeAtomically(file, json);
    }

    /** Writes a 0600 file: temporary file, fsync, rename, fsync of the directory. */
    public static void writeAtomically(Path file, byte[] data) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(
                tmp,
                java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // some filesystems cannot fsync a directory; the rename is still atomic
        }
    }

    /** A random password of {@code length} letters and digits (no look-alikes). */
    public static String randomPassword(int length) {
        String alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
