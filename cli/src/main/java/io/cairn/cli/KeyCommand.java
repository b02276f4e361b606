package io.cairn.cli;

import io.cairn.repository.KeyRing;
import io.cairn.repository.Repository;
import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.format.Json;
import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The passwords of an encrypted repository, after restic's {@code key} commands: several key files
 * wrap the same key material, so adding, removing or changing a password rewrites one small file
 * and re-encrypts no data ({@link KeyRing}). Every subcommand needs a password that opens the
 * repository now (--password-file, CAIRN_PASSWORD or a prompt); new passwords come from
 * --new-password-file or a prompt, never from the command line.
 */
@Command(
        name = "key",
        description = "Manage the passwords of an encrypted repository (list, add, remove, passwd).",
        subcommands = {KeyCommand.ListKeys.class, KeyCommand.Add.class, KeyCommand.Remove.class, KeyCommand.Passwd.class
        })
final class KeyCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "a subcommand is required: list, add, remove, passwd");
    }

    /** The repository, its key ring and the password that opened it (wiped by {@link #close}). */
    private record Opened(KeyRing ring, char[] password) implements AutoCloseable {
        static Opened of(RepoOptions repo) throws IOException {
            Repository.PasswordSource source = repo.passwords();
            Repository r = repo.open(source);
            KeyRing ring = new KeyRing(r);
            return new Opened(ring, source.password());
        }

        @Override
        public void close() {
            Arrays.fill(password, '\0');
        }
    }

    /** A new password: the first line of {@code file}, else asked twice on the terminal. */
    static char[] newPassword(Path file) throws IOException {
        if (file != null) {
            try {
                String first = Files.readString(file, StandardCharsets.UTF_8)
                        .lines()
                        .findFirst()
                        .orElse("");
                if (first.isEmpty()) {
                    throw new RepositoryException("new password file " + file + " is empty");
                }
                return first.toCharArray();
            } catch (NoSuchFileException e) {
                throw new RepositoryException("new password file " + file + " does not exist");
            }
        }
        Console c = System.console();
        if (c == null) {
            throw new RepositoryException("no terminal to ask for the new password: give --new-password-file FILE");
        }
        char[] pw = c.readPassword("New password: ");
        if (pw == null || pw.length == 0) {
            throw new RepositoryException("no new password given");
        }
        char[] again = c.readPassword("Repeat the new password: ");
        if (again == null || !Arrays.equals(pw, again)) {
            throw new RepositoryException("the new passwords do not match");
        }
        Arrays.fill(again, '\0');
        return pw;
    }

    @Command(name = "list", description = "List the repository's keys; '*' marks the one your password opens.")
    static final class ListKeys implements Callable<Integer> {
        @Mixin
        RepoOptions repo;

        @Option(names = "--json", description = "One JSON array instead of a table.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            try (Opened o = Opened.of(repo)) {
                List<KeyRing.Entry> keys = o.ring().list(o.password());
                if (json) {
                    List<Map<String, Object>> out = new ArrayList<>();
                    for (KeyRing.Entry k : keys) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("id", k.id());
                        m.put("current", k.opens());
                        m.put("created", k.created());
                        m.put("host", k.host());
                        m.put("version", k.version());
                        m.put("scryptN", k.scryptN());
                        out.add(m);
                    }
                    System.out.println(Json.mapper().writeValueAsString(out));
                    return Main.OK;
                }
                System.out.printf(
                        "%-1s %-16s  %-7s  %-8s  %-24s  %s%n", "", "ID", "VERSION", "SCRYPT N", "CREATED", "HOST");
                for (KeyRing.Entry k : keys) {
                    System.out.printf(
                            "%-1s %-16s  %-7d  %-8d  %-24s  %s%n",
                            k.opens() ? "*" : "",
                            k.id(),
                            k.version(),
                            k.scryptN(),
                            k.created() == null ? "" : k.created(),
                            k.host() == null ? "" : k.host());
                }
                return Main.OK;
            }
        }
    }

    @Command(name = "add", description = "Add a password (from --new-password-file or a prompt).")
    static final class Add implements Callable<Integer> {
        @Mixin
        RepoOptions repo;

        @Option(
                names = "--new-password-file",
                paramLabel = "FILE",
                description = "File whose first line is the new password (else a prompt, twice).")
        Path newPasswordFile;

        @Override
        public Integer call() throws Exception {
            try (Opened o = Opened.of(repo)) {
                char[] added = newPassword(newPasswordFile);
                try {
                    System.out.println("added key " + o.ring().add(o.password(), added));
                } finally {
                    Arrays.fill(added, '\0');
                }
                return Main.OK;
            }
        }
    }

    @Command(name = "remove", description = "Remove a key by id: not the one your password opens, never the last one.")
    static final class Remove implements Callable<Integer> {
        @Mixin
        RepoOptions repo;

        @Parameters(index = "0", paramLabel = "ID", description = "The key's id (cairn key list).")
        String id;

        @Override
        public Integer call() throws Exception {
            try (Opened o = Opened.of(repo)) {
                o.ring().remove(o.password(), id);
                System.out.println("removed key " + id);
                return Main.OK;
            }
        }
    }

    @Command(
            name = "passwd",
            description = "Change the password you give (the new one from --new-password-file or a prompt).")
    static final class Passwd implements Callable<Integer> {
        @Mixin
        RepoOptions repo;

        @Option(
                names = "--new-password-file",
                paramLabel = "FILE",
                description = "File whose first line is the new password (else a prompt, twice).")
        Path newPasswordFile;

        @Override
        public Integer call() throws Exception {
            try (Opened o = Opened.of(repo)) {
                char[] replacement = newPassword(newPasswordFile);
                try {
                    String before = o.ring().list(o.password()).stream()
                            .filter(KeyRing.Entry::opens)
                            .map(KeyRing.Entry::id)
                            .findFirst()
                            .orElse("?");
                    String after = o.ring().change(o.password(), replacement);
                    System.out.println("changed the password: key " + before + " replaced by key " + after);
                } finally {
                    Arrays.fill(replacement, '\0');
                }
                return Main.OK;
            }
        }
    }
}
