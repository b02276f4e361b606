package io.cairn.mount.fuse;

import com.kenai.jffi.MemoryIO;
import io.cairn.mount.tree.BackupTree;
import io.cairn.mount.tree.Dir;
import io.cairn.mount.tree.FileNode;
import io.cairn.mount.tree.Link;
import io.cairn.mount.tree.Node;
import io.cairn.repository.error.CorruptObjectException;
import io.cairn.repository.error.ObjectNotFoundException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import jnr.ffi.Pointer;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;

/**
 * The jnr-fuse adapter: translates FUSE calls into {@link BackupTree} calls and exceptions into
 * errno values, nothing else (the one errno ladder is {@link #errno}). Read-only: every call that
 * would change something is left to FuseStubFS, which answers ENOSYS, and the mount is {@code ro}.
 *
 * <p>Every call catches {@link Throwable}: the tree parses untrusted guest data, and an
 * {@link Error} from a parser (a stack overflow, an out-of-memory) must answer that one call with
 * EIO, not end the FUSE worker thread or the mount. Errors are logged once per kind.
 */
final class CairnFuse extends FuseStubFS {
    private static final int O_ACCMODE = 3;
    private static final int O_RDONLY = 0;

    private final BackupTree tree;
    private final int uid;
    private final int gid;
    private final boolean allowOther;
    private final Consumer<String> log;
    private final Set<String> loggedErrors = ConcurrentHashMap.newKeySet();
    private final Runnable beforeUnmount;
    private final Map<Long, FileNode> open = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);
    final CountDownLatch destroyed = new CountDownLatch(1);

    /** A mount every local user may read as the modes allow (see {@link FuseMount#mount}). */
    CairnFuse(BackupTree tree, int uid, int gid, Consumer<String> log, Runnable beforeUnmount) {
        this(tree, uid, gid, true, log, beforeUnmount);
    }

    /**
     * @param allowOther false: the modes shown keep only the owner's bits (and the group bits of
     *        nodes with a {@link Node#readerGroup}, shown with that group)
     */
    CairnFuse(BackupTree tree, int uid, int gid, boolean allowOther, Consumer<String> log, Runnable beforeUnmount) {
        this.tree = tree;
        this.uid = uid;
        this.gid = gid;
        this.allowOther = allowOther;
        this.log = log;
        this.beforeUnmount = beforeUnmount;
    }

    @Override
    public int getattr(String path, FileStat stat) {
        try {
            Node n = tree.resolve(path);
            if (n == null) {
                return -ErrorCodes.ENOENT();
            }
            fill(n, stat);
            return 0;
        } catch (Throwable e) {
            return errno("stat", path, e);
        }
    }

    private void fill(Node n, FileStat stat) throws IOException {
        int type;
        long size;
        long nlink = 1;
        if (n instanceof Dir) {
            type = FileStat.S_IFDIR;
            size = 4096;
            nlink = 2;
        } else if (n instanceof FileNode f) {
            type = FileStat.S_IFREG;
            size = f.size();
        } else {
            type = FileStat.S_IFLNK;
            size = ((Link) n).target().getBytes(StandardCharsets.UTF_8).length;
        }
        int mode = n.permissions();
        int group = gid;
        if (!allowOther) {
            if (n.readerGroup() >= 0) {
                mode &= 0550;
                group = n.readerGroup();
            } else {
                mode &= 0500;
            }
        }
        stat.st_mode.set(type | mode);
        stat.st_size.set(size);
        stat.st_nlink.set(nlink);
        stat.st_uid.set(uid);
        stat.st_gid.set(group);
        stat.st_blksize.set(65536);
        stat.st_blocks.set((size + 511) / 512);
        Instant t = n.modified();
        for (var ts : new ru.serce.jnrfuse.struct.Timespec[] {stat.st_mtim, stat.st_atim, stat.st_ctim}) {
            ts.tv_sec.set(t.getEpochSecond());
            ts.tv_nsec.set(t.getNano());
        }
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filter, long offset, FuseFileInfo fi) {
        try {
            Node n = tree.resolve(path);
            if (n == null) {
                return -ErrorCodes.ENOENT();
            }
            if (!(n instanceof Dir d)) {
                return -ErrorCodes.ENOTDIR();
            }
            filter.apply(buf, ".", null, 0);
            filter.apply(buf, "..", null, 0);
            for (Node c : d.children()) {
                if (filter.apply(buf, c.name(), null, 0) != 0) {
                    break;
                }
            }
            return 0;
        } catch (Throwable e) {
            return errno("list", path, e);
        }
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        try {
            if ((fi.flags.get() & O_ACCMODE) != O_RDONLY) {
                return -ErrorCodes.EROFS();
            }
            Node n = tree.resolve(path);
            if (n == null) {
                return -ErrorCodes.ENOENT();
            }
            if (n instanceof Dir) {
                return -ErrorCodes.EISDIR();
            }
            if (!(n instanceof FileNode f)) {
                return -ErrorCodes.EINVAL();
            }
            long h = nextHandle.getAndIncrement();
            open.put(h, f);
            fi.fh.set(h);
            return 0;
        } catch (Throwable e) {
            return errno("open", path, e);
        }
    }

    @Override
    public int read(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
        try {
            FileNode f = open.get(fi.fh.get());
            if (f == null) {
                Node n = tree.resolve(path);
                if (!(n instanceof FileNode file)) {
                    return -ErrorCodes.EBADF();
                }
                f = file;
            }
            // Write straight into libfuse's buffer: no intermediate copy, and no per-thread heap
            // buffer (libfuse's worker threads come and go under load, and each new one would
            // allocate its own).
            ByteBuffer b =
                    MemoryIO.getInstance().newDirectByteBuffer(buf.address(), (int) Math.min(size, Integer.MAX_VALUE));
            int n = f.read(offset, b);
            if (n <= 0) {
                return 0;
            }
            return n;
        } catch (Throwable e) {
            return errno("read", path, e);
        }
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        open.remove(fi.fh.get());
        return 0;
    }

    @Override
    public int readlink(String path, Pointer buf, long size) {
        try {
            Node n = tree.resolve(path);
            if (n == null) {
                return -ErrorCodes.ENOENT();
            }
            if (!(n instanceof Link l)) {
                return -ErrorCodes.EINVAL();
            }
            byte[] t = l.follow().getBytes(StandardCharsets.UTF_8);
            int len = (int) Math.min(t.length, size - 1);
            buf.put(0, t, 0, len);
            buf.putByte(len, (byte) 0);
            return 0;
        } catch (Throwable e) {
            return errno("follow", path, e);
        }
    }

    @Override
    public int statfs(String path, Statvfs st) {
        st.f_bsize.set(65536);
        st.f_frsize.set(65536);
        st.f_namemax.set(255);
        return 0;
    }

    @Override
    public void destroy(Pointer initResult) {
        destroyed.countDown();
    }

    @Override
    public void umount() {
        // jnr-fuse's shutdown hook calls this on Ctrl-C: guest volumes mounted inside the tree go
        // first, or the FUSE unmount would leave them detached and busy.
        try {
            beforeUnmount.run();
        } finally {
            super.umount();
        }
    }

    /**
     * The errno ladder: a missing object (pruned while mounted) and corrupt data are EIO, like any
     * read error, and are logged with the object's name; an interrupted read is EINTR.
     */
    private int errno(String op, String path, Throwable e) {
        if (e instanceof InterruptedIOException) {
            return -ErrorCodes.EINTR();
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return -ErrorCodes.ENOENT();
        }
        if (e instanceof java.nio.file.NotDirectoryException) {
            return -ErrorCodes.ENOTDIR();
        }
        if (e instanceof ObjectNotFoundException || e instanceof CorruptObjectException) {
            log.accept(printable(op + " " + path + ": " + e.getMessage()));
            return -ErrorCodes.EIO();
        }
        if (e instanceof Error) {
            // a bug or a hostile input a parser did not bound: this call fails, the mount goes on
            if (loggedErrors.size() < 64 && loggedErrors.add(e.getClass().getName())) {
                log.accept(printable(op + " " + path + " failed with " + e + " (answered EIO; later "
                        + e.getClass().getSimpleName() + "s are not logged)"));
            }
            return -ErrorCodes.EIO();
        }
        log.accept(printable(op + " " + path + " failed: " + e));
        return -ErrorCodes.EIO();
    }

    /**
     * A log line without control characters (escaped as \\xNN), at most 1000 characters: messages
     * may quote names and bytes from a guest's disk.
     */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 1000));
        for (int i = 0; i < s.length() && b.length() < 1000; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
