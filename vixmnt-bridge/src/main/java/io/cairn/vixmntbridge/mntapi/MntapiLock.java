package io.cairn.vixmntbridge.mntapi;

import io.cairn.vixmntbridge.VixException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The host-wide "one VixMntapi program at a time" rule of VMware's Programming Guide, enforced for
 * cairn with an exclusive {@code fcntl} lock on a file ({@link MntapiLibrary#DEFAULT_LOCK_FILE}): held
 * from before {@code VixMntapi_Init} until after {@code VixMntapi_Exit}. Another cairn process holding
 * it, or another mount in this process (a JVM cannot lock one file twice), makes
 * {@link #acquire} refuse; callers then use the open fallback. Programs other than cairn do not take
 * this lock, so it cannot see them.
 */
final class MntapiLock implements AutoCloseable {

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private MntapiLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock without waiting, or says why not. */
    static MntapiLock acquire(Path file) throws VixException {
        FileChannel ch;
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            throw new VixException(
                    VixException.VIX_E_FILE_IO_ERROR,
                    "cannot create the VixMntapi lock file " + file + " (" + e + ")",
                    e);
        }
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            closeQuietly(ch);
            throw held(file, "by another VixMntapi mount in this cairn process");
        } catch (IOException e) {
            closeQuietly(ch);
            throw new VixException(VixException.VIX_E_FILE_IO_ERROR, "cannot lock " + file + " (" + e + ")", e);
        }
        if (l == null) {
            closeQuietly(ch);
            throw held(file, "by another cairn process");
        }
        return new MntapiLock(file, ch, l);
    }

    private static VixException held(Path file, String byWhom) {
        return new VixException(
                VixException.VIX_E_FILE_ACCESS_ERROR,
                "VixMntapi is in use " + byWhom + " (lock " + file
                        + " is held), and VMware allows only one VixMntapi program at a time per host");
    }

    Path file() {
        return file;
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel below releases it as well
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do: the lock goes with the descriptor
        }
    }
}
