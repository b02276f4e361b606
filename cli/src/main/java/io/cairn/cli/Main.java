package io.cairn.cli;

import io.cairn.repository.error.RepositoryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code cairn} program. Exit codes: 0 success, 1 failure, 2 usage error; every failure is one
 * line on standard error naming what failed and where.
 */
@Command(
        name = "cairn",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Backup repository for VMware vSphere VMs: deduplicated, compressed, verifiable.",
        subcommands = {
            InitCommand.class,
            BackupCommand.class,
            ListCommand.class,
            RestoreCommand.class,
            CheckCommand.class,
            PruneCommand.class,
            GcCommand.class,
            StatsCommand.class,
            ConvertCommand.class,
            MountCommand.class,
            UmountCommand.class,
            VmsCommand.class,
            ServeCommand.class,
            UserCommand.class,
            KeyCommand.class
        })
public final class Main implements Runnable {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            String who = cmd.getCommandSpec().qualifiedName(" "); // "cairn list", "cairn key add"
            if (e instanceof IllegalArgumentException) {
                err.println(who + ": " + e.getMessage());
                return USAGE;
            }
            if (e instanceof RepositoryException || e instanceof IOException) {
                err.println(who + ": " + e.getMessage());
                return FAILED;
            }
            err.println(who + ": internal error: " + e);
            e.printStackTrace(err);
            return FAILED;
        });
        return cl.execute(args);
    }

    /** Version and commit, recorded at build time. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/cairn-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            String commit = p.getProperty("commit", "");
            if (commit.isEmpty() || commit.startsWith("${")) {
                commit = "unknown";
            } else if ("true".equals(p.getProperty("dirty"))) {
                commit += "-dirty";
            }
            return new String[] {"cairn " + p.getProperty("version", "unknown") + " (commit " + commit + ")"};
        }
    }
}
