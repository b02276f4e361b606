package io.cairn.cli;

import io.cairn.httpui.UiConfig;
import io.cairn.httpui.auth.Role;
import io.cairn.httpui.auth.Users;
import java.io.Console;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The web UI's users in {@code <state>/users.json}: add (or set role and password), passwd (a new
 * password, the role kept), remove. A running server sees every change at the user's next request:
 * a new role, a new password or a removal ends that user's sessions.
 */
@Command(
        name = "user",
        description = "Manage the web UI's users.",
        subcommands = {UserCommand.Add.class, UserCommand.Passwd.class, UserCommand.Remove.class})
final class UserCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(
                spec.commandLine(), "a subcommand is required (add, passwd, remove)");
    }

    /** The options every subcommand shares. */
    static class StateOption {
        @Option(
                names = "--state",
                paramLabel = "DIR",
                description = "The web UI's state directory"
                        + " (default: /var/lib/cairn when writable, else $HOME/.local/state/cairn).")
        Path state;

        Path dir() throws java.io.IOException {
            Path dir = state != null ? state : UiConfig.defaultStateDir();
            Files.createDirectories(dir);
            return dir;
        }
    }

    /** A new password from the first line of a file, or asked twice on the terminal. */
    static char[] password(Path file, String name) throws java.io.IOException {
        if (file != null) {
            return Files.readString(file, StandardCharsets.UTF_8)
                    .lines()
                    .findFirst()
                    .orElse("")
                    .toCharArray();
        }
        Console c = System.console();
        if (c == null) {
            throw new IllegalArgumentException("no terminal to ask for the password: give --password-file FILE");
        }
        char[] pw = c.readPassword("Password for %s: ", name);
        char[] again = c.readPassword("Repeat the password: ");
        if (pw == null || !Arrays.equals(pw, again)) {
            throw new IllegalArgumentException("the passwords do not match");
        }
        return pw;
    }

    @Command(name = "add", description = "Add a user, or set an existing user's role and password.")
    static final class Add implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--role", required = true, paramLabel = "ROLE", description = "admin, operator or viewer.")
        String role;

        @Option(
                names = "--password-file",
                paramLabel = "FILE",
                description = "File whose first line is the password (else a prompt).")
        Path passwordFile;

        @picocli.CommandLine.Mixin
        StateOption state;

        @Override
        public Integer call() throws Exception {
            Role r = Role.parse(role);
            char[] pw = password(passwordFile, name);
            Path dir = state.dir();
            try {
                Users.load(dir).put(name, r, pw);
            } finally {
                Arrays.fill(pw, '\0');
            }
            System.out.println("user " + name + " (" + r.jsonName() + ") saved in " + dir.resolve("users.json"));
            return Main.OK;
        }
    }

    @Command(
            name = "passwd",
            description = "Set a new password for an existing user (the role stays); their sessions end.")
    static final class Passwd implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(
                names = "--password-file",
                paramLabel = "FILE",
                description = "File whose first line is the new password (else a prompt).")
        Path passwordFile;

        @picocli.CommandLine.Mixin
        StateOption state;

        @Override
        public Integer call() throws Exception {
            Path dir = state.dir();
            Users users = Users.load(dir);
            if (users.stamp(name) == null) {
                throw new IllegalArgumentException("there is no user '" + name + "' in " + dir.resolve("users.json"));
            }
            char[] pw = password(passwordFile, name);
            Path initial = dir.resolve(Users.INITIAL_PASSWORD_FILE);
            boolean hadInitial = name.equals(Users.FIRST_ADMIN) && Files.exists(initial);
            try {
                users.changePassword(name, pw);
            } finally {
                Arrays.fill(pw, '\0');
            }
            System.out.println("user " + name + ": new password saved in " + dir.resolve("users.json")
                    + (hadInitial ? "; " + initial + " deleted" : ""));
            return Main.OK;
        }
    }

    @Command(name = "remove", description = "Remove a user; their sessions end.")
    static final class Remove implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @picocli.CommandLine.Mixin
        StateOption state;

        @Override
        public Integer call() throws Exception {
            Path dir = state.dir();
            if (!Users.load(dir).remove(name)) {
                throw new IllegalArgumentException("there is no user '" + name + "' in " + dir.resolve("users.json"));
            }
            System.out.println("user " + name + " removed from " + dir.resolve("users.json"));
            return Main.OK;
        }
    }
}
