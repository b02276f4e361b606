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

@Command(name = "user", description = "Manage the web UI's users.", subcommands = UserCommand.Add.class)
final class UserCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (add)");
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

        @Option(
                names = "--state",
                paramLabel = "DIR",
                description = "The web UI's state directory"
                        + " (default: /var/lib/cairn when writable, else $HOME/.local/state/cairn).")
        Path state;

        @Override
        public Integer call() throws Exception {
            Role r = Role.parse(role);
            char[] pw;
            if (passwordFile != null) {
                pw = Files.readString(passwordFile, StandardCharsets.UTF_8)
                        .lines()
                        .findFirst()
                        .orElse("")
                        .toCharArray();
            } else {
                Console c = System.console();
                if (c == null) {
                    throw new IllegalArgumentException(
                            "no terminal to ask for the password: give --password-file FILE");
                }
                pw = c.readPassword("Password for %s: ", name);
                char[] again = c.readPassword("Repeat the password: ");
                if (pw == null || !Arrays.equals(pw, again)) {
                    throw new IllegalArgumentException("the passwords do not match");
                }
            }
            Path dir = state != null ? state : UiConfig.defaultStateDir();
            Files.createDirectories(dir);
            Users.load(dir).put(name, r, pw);
            Arrays.fill(pw, '\0');
            System.out.println("user " + name + " (" + r.jsonName() + ") saved in " + dir.resolve("users.json"));
            return Main.OK;
        }
    }
}
