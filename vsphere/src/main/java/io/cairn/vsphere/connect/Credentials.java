package io.cairn.vsphere.connect;

import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A vSphere user and password. The password comes from a file (its first line), from the
 * environment ({@value #PASSWORD_ENV}, with the user from {@value #USER_ENV}) or from a prompt on
 * the console, never from the command line; {@link #toString()} leaves it out.
 *
 * @param user     the login user
 * @param password the password
 */
public record Credentials(String user, char[] password) {
    /** Environment variable holding the user when none is given. */
    public static final String USER_ENV = "CAIRN_VC_USER";
    /** Environment variable holding the password when no password file is given. */
    public static final String PASSWORD_ENV = "CAIRN_VC_PASSWORD";

    /**
     * Credentials from, in this order: the given user or {@value #USER_ENV}; the password file, else
     * {@value #PASSWORD_ENV}, else a prompt on {@code console} (null when there is none).
     *
     * @throws VsphereException when no user or no password can be found, or the file cannot be read
     */
    public static Credentials resolve(String user, Path passwordFile, Map<String, String> env, Console console)
            throws VsphereException {
        String u = user != null && !user.isBlank() ? user : env.get(USER_ENV);
        if (u == null || u.isBlank()) {
            throw new VsphereException("no vSphere user: give --vc-user USER or set " + USER_ENV);
        }
        if (passwordFile != null) {
            return new Credentials(u, readPasswordFile(passwordFile));
        }
        String p = env.get(PASSWORD_ENV);
        if (p != null && !p.isEmpty()) {
            return new Credentials(u, p.toCharArray());
        }
        if (console == null) {
            throw new VsphereException("no vSphere password: give --vc-password-file FILE or set " + PASSWORD_ENV);
        }
        char[] pw = console.readPassword("Password for %s: ", u);
        if (pw == null || pw.length == 0) {
            throw new VsphereException("no vSphere password given");
        }
        return new Credentials(u, pw);
    }

    /** The first line of {@code file}, which must not be empty. */
    public static char[] readPasswordFile(Path file) throws VsphereException {
        try {
            String first = Files.readString(file, StandardCharsets.UTF_8)
                    .lines()
                    .findFirst()
                    .orElse("");
            if (first.isEmpty()) {
                throw new VsphereException("password file " + file + " is empty");
            }
            return first.toCharArray();
        } catch (NoSuchFileException e) {
            throw new VsphereException("password file " + file + " does not exist");
        } catch (VsphereException e) {
            throw e;
        } catch (IOException e) {
            throw new VsphereException("password file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Without the password. */
    @Override
    public String toString() {
        return "Credentials[user=" + user + "]";
    }
}
