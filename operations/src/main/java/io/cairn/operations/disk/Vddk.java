package io.cairn.operations.disk;

import io.cairn.vixmntbridge.vddk.Transport;
import io.cairn.vixmntbridge.vddk.VddkLibrary;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * VMware's VDDK for one process. VixDiskLib may be initialised once per process ("change
 * VixDiskLib_Init() to VixDiskLib_InitEx() and be sure to call it only once", VDDK Programming
 * Guide): the library is loaded and initialised the first time a transport needs it and stays so
 * until {@link #close} ({@code VixDiskLib_Exit}), whatever runs in between. A server ({@code cairn
 * serve --vddk DIR}, its scheduled runs and restores) keeps one for its lifetime; a command makes one
 * and closes it when it ends.
 *
 * <p>A load that fails (no VDDK there, a broken one) is not remembered: the next use tries again, so a
 * VDDK installed while the server runs is picked up. Each load gets a fresh work directory (the
 * config file and VixDiskLib's {@code tmpDirectory}), removed with everything in it at {@link #close}.
 */
public final class Vddk implements Closeable {
    private final Path dir;
    private VddkLibrary library;
    private Path work;
    private boolean closed;

    private Vddk(Path dir) {
        this.dir = dir;
    }

    /**
     * The VDDK in {@code dir} ({@code --vddk DIR}), or the one {@code VDDK_HOME} names when
     * {@code dir} is null; nothing is loaded yet.
     */
    public static Vddk at(Path dir) {
        return new Vddk(dir);
    }

    /** The {@code --vddk} directory, or null for {@code VDDK_HOME}. */
    public Path dir() {
        return dir;
    }

    /** Whether a VDDK was named, by {@code --vddk DIR} or {@code VDDK_HOME} (it may still fail to load). */
    public boolean named() {
        String home = System.getenv(VddkLibrary.VDDK_HOME);
        return dir != null || (home != null && !home.isBlank());
    }

    /**
     * VixDiskLib, loaded and initialised on the first call.
     *
     * @param transport what needs it, for the message when it is missing
     * @throws IOException one line naming {@code --vddk DIR} and {@code VDDK_HOME} when it is missing or
     *     cannot be loaded; when closed
     */
    public synchronized VddkLibrary library(Transport transport) throws IOException {
        if (closed) {
            throw new IOException("the VDDK of this process was closed");
        }
        if (library == null) {
            Path w = Files.createTempDirectory("cairn-vddk");
            try {
                library = VddkLibrary.load(dir, transport, w);
                work = w;
            } catch (IOException | RuntimeException e) {
                deleteTree(w);
                throw e;
            }
        }
        return library;
    }

    /** {@code VixDiskLib_Exit} when it was loaded, then its work directory is deleted, tree and all. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (library != null) {
                library.close();
            }
        } finally {
            library = null;
            if (work != null) {
                deleteTree(work);
                work = null;
            }
        }
    }

    /** Deletes {@code dir} and everything below it (VixDiskLib leaves logs and folders in its tmpDirectory). */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
