package org.wegeft.distributed;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;

/**
 * Times a {@link RingAllReduce} mean of {@code floats} floats among {@code replicas} threads of this JVM joined over
 * loopback TCP (what {@code local[N]} Spark tasks do): the median and the other quantiles of rank 0's wall time
 * per call, after warm-up calls.
 */
public final class AllReduceBench {
    private AllReduceBench() {
    }

    /** Milliseconds per all-reduce: median, min, max over the timed repetitions. */
    public record Timing(int floats, int replicas, int repetitions, double medianMs, double minMs, double maxMs) {
        /**
         * Algorithm bandwidth in GB/s: the bytes each rank sends per call, 2·(n−1)/n · 4·floats, over the median
         * time (NCCL's "bus bandwidth").
         */
        public double busGbPerS() {
            double bytes = 4.0 * floats * 2 * (replicas - 1) / replicas;
            return bytes / (medianMs * 1e-3) / 1e9;
        }
    }

    /** Runs {@code warmup} untimed then {@code reps} timed mean all-reduces. */
    public static Timing run(int floats, int replicas, int warmup, int reps) throws IOException {
        if (floats < 1 || replicas < 2 || warmup < 0 || reps < 1) {
            throw new IllegalArgumentException("AllReduceBench: floats " + floats + ", replicas " + replicas
                    + ", warmup " + warmup + ", reps " + reps);
        }
        try {
            // rank 0's times
            double[] ms = LoopbackRing.run(replicas, Duration.ofMinutes(1), ring -> {
                FloatBuffer buf = ring.buffer(floats);
                for (int i = 0; i < floats; i++) {
                    buf.put(i, (i % 1000) * 1e-3f + ring.rank());
                }
                double[] t = new double[reps];
                for (int k = 0; k < warmup + reps; k++) {
                    long t0 = System.nanoTime();
                    ring.mean(floats);
                    if (k >= warmup) {
                        t[k - warmup] = (System.nanoTime() - t0) / 1e6;
                    }
                }
                return t;
            }).get(0);
            Arrays.sort(ms);
            double median = reps % 2 == 1 ? ms[reps / 2] : (ms[reps / 2 - 1] + ms[reps / 2]) / 2;
            return new Timing(floats, replicas, reps, median, ms[0], ms[reps - 1]);
        } catch (ExecutionException e) {
            throw new IOException("AllReduceBench: a replica failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("AllReduceBench: interrupted", e);
        }
    }
}
