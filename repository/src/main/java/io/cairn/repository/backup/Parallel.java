package io.cairn.repository.backup;

import io.cairn.repository.error.RepositoryException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a task for indexes 0..count-1 on a few threads, in ascending claim order (so reads stay near
 * sequential). The first failure stops every worker and is rethrown; nothing keeps going after it.
 */
public final class Parallel {
    private Parallel() {}

    @FunctionalInterface
    public interface Task {
        void run(int index) throws IOException;
    }

    /** Per-thread state (buffers) made once per worker. */
    @FunctionalInterface
    public interface TaskFactory {
        Task create();
    }

    public static void forEach(int count, int threads, String name, TaskFactory factory) throws IOException {
        AtomicInteger cursor = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable worker = () -> {
            try {
                Task task = factory.create();
                int i;
                while (failure.get() == null && (i = cursor.getAndIncrement()) < count) {
                    if (Thread.currentThread().isInterrupted()) {
                        throw new InterruptedIOException(name + " interrupted");
                    }
                    task.run(i);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        };
        int n = Math.max(1, Math.min(threads, count));
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            Thread th = new Thread(worker, "cairn-" + name + "-" + t);
            th.start();
            ts.add(th);
        }
        try {
            for (Thread th : ts) {
                th.join();
            }
        } catch (InterruptedException e) {
            ts.forEach(Thread::interrupt);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(name + " interrupted");
        }
        Throwable t = failure.get();
        if (t instanceof IOException e) {
            throw e;
        } else if (t instanceof RuntimeException e) {
            throw e;
        } else if (t instanceof Error e) {
            throw e;
        } else if (t != null) {
            throw new RepositoryException(name + " failed: " + t, t);
        }
    }
}
