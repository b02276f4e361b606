package io.cairn.mount.mutation;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one parser on many mutated inputs, each on a thread with a small stack (512 KiB) and under
 * a time limit; the test JVM itself runs with a small heap (the mount module's "fuzz" Surefire
 * execution: -Xmx64m). The only acceptable outcomes are a result or one of the parser's declared
 * exceptions: an {@link Error} (stack overflow, out of memory), any other exception or a hang
 * fails the test with the seed that reproduces it.
 *
 * <p>Iterations and seed: {@code -Dcairn.fuzz.iterations=N} and {@code -Dcairn.fuzz.seed=S}
 * (scripts/fuzz runs many more than CI does).
 */
public final class FuzzLoop {
    private FuzzLoop() {}

    /** One input: mutate what it needs with {@code m}, call the parser. */
    @FunctionalInterface
    public interface Case {
        void run(Mutator m) throws Exception;
    }

    /** Outcome counts, for the log line. */
    public record Tally(int iterations, int results, int refusals) {}

    public static int iterations(int ciDefault) {
        return Integer.getInteger("cairn.fuzz.iterations", ciDefault);
    }

    public static long seed() {
        return Long.getLong("cairn.fuzz.seed", 12);
    }

    @SafeVarargs
    public static Tally run(String parser, int ciIterations, Case c, Class<? extends Exception>... declared) {
        int n = iterations(ciIterations);
        long seed = seed();
        long limitMillis = Long.getLong("cairn.fuzz.timeout.ms", 20_000);
        ExecutorService ex = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(null, r, "fuzz-" + parser, 512 * 1024);
            t.setDaemon(true);
            return t;
        });
        int results = 0;
        int refusals = 0;
        try {
            for (int i = 0; i < n; i++) {
                long s = seed * 1_000_003L + i;
                Future<?> f = ex.submit(() -> {
                    c.run(new Mutator(s));
                    return null;
                });
                try {
                    f.get(limitMillis, TimeUnit.MILLISECONDS);
                    results++;
                } catch (TimeoutException e) {
                    fail(parser + " did not finish within " + limitMillis + " ms on iteration " + i + " (seed " + s
                            + "): a hang");
                } catch (ExecutionException e) {
                    Throwable t = e.getCause();
                    boolean ok = false;
                    for (Class<? extends Exception> d : declared) {
                        ok |= d.isInstance(t);
                    }
                    if (!ok) {
                        StringWriter w = new StringWriter();
                        t.printStackTrace(new PrintWriter(w));
                        fail(parser + " threw " + t + " on iteration " + i + " (seed " + s + "); declared: "
                                + java.util.Arrays.toString(declared) + "\n" + w);
                    }
                    refusals++;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    fail("interrupted");
                }
            }
        } finally {
            ex.shutdownNow();
        }
        System.out.println("fuzz " + parser + ": " + n + " inputs (seed " + seed + "): " + results + " results, "
                + refusals + " refused with a declared exception");
        return new Tally(n, results, refusals);
    }
}
