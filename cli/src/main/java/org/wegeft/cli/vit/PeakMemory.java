package org.wegeft.cli.vit;

import java.util.concurrent.atomic.AtomicLong;
import org.wegeft.cli.ProcStatus;

/**
 * Resident memory from {@code /proc/self/status} (Linux; -1 elsewhere). {@link #highWaterMb()} is the
 * process's peak (VmHWM): exact for a process that runs one method. {@link #sample()} starts a thread that
 * reads VmRSS every 20 ms until closed: the peak while one method runs inside a longer-lived JVM (an
 * approximation: memory the JVM kept from earlier work counts too).
 */
final class PeakMemory implements AutoCloseable {
    private final AtomicLong maxKb = new AtomicLong(-1);
    private final Thread thread;
    private volatile boolean running = true;

    private PeakMemory() {
        thread = Thread.ofPlatform().daemon().name("wegeft-rss-sampler").start(() -> {
            while (running) {
                long kb = ProcStatus.kb("VmRSS:");
                maxKb.accumulateAndGet(kb, Math::max);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** Starts sampling VmRSS. */
    static PeakMemory sample() {
        return new PeakMemory();
    }

    /** The largest VmRSS seen so far, in MiB (-1 when unknown). */
    double peakMb() {
        long kb = Math.max(maxKb.get(), ProcStatus.kb("VmRSS:"));
        return kb < 0 ? -1 : kb / 1024.0;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** This process's peak resident set (VmHWM) in MiB, or -1 when unknown. */
    static double highWaterMb() {
        long kb = ProcStatus.kb("VmHWM:");
        return kb < 0 ? -1 : kb / 1024.0;
    }
}
