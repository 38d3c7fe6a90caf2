package org.wegeft.kernels.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;

import org.wegeft.kernels.Parallel;

/**
 * Hands GEMM jobs to pool threads. A helper that finishes its share stays awake for a short while
 * ({@link #LINGER_NANOS}) watching for the next job, so back-to-back products (a training step is a chain of
 * them) do not pay a thread wake-up each; it leaves at once when the pool has other work queued. Whether a
 * helper takes part or not never matters for correctness: the caller claims units too and waits only for
 * units that were claimed.
 */
final class GemmHelpers {

    private static final long LINGER_NANOS = 1_000_000;
    private static final AtomicInteger LINGERING = new AtomicInteger();
    private static volatile GemmJob posted;
    private static final Runnable HELPER = GemmHelpers::help;

    private GemmHelpers() {
    }

    /** Offers job to the pool's threads (a lingering helper picks it up, else new ones are started). */
    static void offer(GemmJob job) {
        posted = job;
        if (LINGERING.get() == 0) {
            Parallel.startHelpers(HELPER);
        }
    }

    /** Forgets a finished job, so it does not keep its operands reachable. */
    static void retire(GemmJob job) {
        if (posted == job) {
            posted = null;
        }
    }

    /** Pool thread body: runs the posted job, then watches for the next one until idle for the linger time. */
    private static void help() {
        GemmJob job = posted;
        if (job != null) {
            job.work();
        }
        ForkJoinPool pool = ForkJoinTask.getPool();
        LINGERING.incrementAndGet();
        try {
            long deadline = System.nanoTime() + LINGER_NANOS;
            while (System.nanoTime() < deadline) {
                GemmJob next = posted;
                if (next != job && next != null) {
                    job = next;
                    job.work();
                    deadline = System.nanoTime() + LINGER_NANOS;
                } else if (pool != null && (pool.hasQueuedSubmissions() || pool.getQueuedTaskCount() > 0)) {
                    return;
                } else {
                    Thread.onSpinWait();
                }
            }
        } finally {
            LINGERING.decrementAndGet();
        }
    }
}
