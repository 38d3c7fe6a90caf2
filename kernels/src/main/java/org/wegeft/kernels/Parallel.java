package org.wegeft.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * Data-parallel loops for CPU backends: {@code forRange(n, grain, body)} splits [0, n) into chunks of
 * at least {@code grain} iterations and runs them on a dedicated pool (the caller helps). Thread count:
 * {@code -Dwegeft.threads}, else {@code WEGEFT_THREADS}, else all available processors.
 */
public final class Parallel {

    /** A loop body over the half-open range [from, to). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private static final int THREADS = configuredThreads();
    private static final ForkJoinPool POOL = THREADS > 1 ? new ForkJoinPool(THREADS, p -> {
        var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
        t.setName("wegeft-cpu-" + t.getPoolIndex());
        t.setDaemon(true);
        return t;
    }, null, false) : null;

    private Parallel() {
    }

    /** Number of threads the CPU kernels use. */
    public static int threads() {
        return THREADS;
    }

    /**
     * Runs body over [0, n), split into at most {@link #threads()} · 4 chunks of at least {@code grain}
     * iterations; runs inline when the work is a single chunk or called from a pool thread.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int maxChunks = Math.max(1, Math.min(THREADS * 4, n / Math.max(1, grain)));
        if (POOL == null || maxChunks == 1 || ForkJoinTask.inForkJoinPool()) {
            body.run(0, n);
            return;
        }
        int chunks = maxChunks;
        POOL.invoke(new Split(body, 0, n, Math.ceilDiv(n, chunks)));
    }

    /**
     * Runs {@code tasks} parallel tasks, task i getting index i; for kernels that partition work
     * themselves (e.g. one GEMM panel per thread).
     */
    public static void forTasks(int tasks, RangeBody body) {
        forRange(tasks, 1, body);
    }

    /**
     * Starts {@code body} on up to {@link #threads()} − 1 pool threads and returns at once (does nothing
     * without a pool). For kernels that share out their work through their own atomic counters: the caller
     * runs the body too and then waits on its own completion count, so a pool thread that wakes late finds
     * no work left and never delays the caller. The body must catch its own exceptions.
     */
    public static void startHelpers(Runnable body) {
        if (POOL == null) {
            return;
        }
        for (int i = 1; i < THREADS; i++) {
            POOL.execute(body);
        }
    }

    private static final class Split extends RecursiveAction {
        private static final long serialVersionUID = 1L;
        private final transient RangeBody body;
        private final int from;
        private final int to;
        private final int chunk;

        Split(RangeBody body, int from, int to, int chunk) {
            this.body = body;
            this.from = from;
            this.to = to;
            this.chunk = chunk;
        }

        @Override
        protected void compute() {
            if (to - from <= chunk) {
                body.run(from, to);
                return;
            }
            int mid = from + Math.ceilDiv((to - from) / 2, chunk) * chunk;
            if (mid >= to) {
                mid = from + chunk;
            }
            invokeAll(new Split(body, from, mid, chunk), new Split(body, mid, to, chunk));
        }
    }

    private static int configuredThreads() {
        String v = System.getProperty("wegeft.threads");
        String source = "-Dwegeft.threads";
        if (v == null || v.isBlank()) {
            v = System.getenv("WEGEFT_THREADS");
            source = "WEGEFT_THREADS";
        }
        if (v == null || v.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int t = Integer.parseInt(v.trim());
            if (t < 1) {
                throw new NumberFormatException();
            }
            return t;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + " must be a positive integer, got '" + v + "'");
        }
    }
}
