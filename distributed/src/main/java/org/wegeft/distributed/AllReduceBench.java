package org.wegeft.distributed;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.FloatBuffer;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
        /** Bytes each rank sends per call, over the median time, in GB/s. */
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
        List<ServerSocketChannel> servers = new ArrayList<>();
        List<InetSocketAddress> peers = new ArrayList<>();
        for (int r = 0; r < replicas; r++) {
            ServerSocketChannel s = RingAllReduce.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            servers.add(s);
            peers.add((InetSocketAddress) s.getLocalAddress());
        }
        ExecutorService pool = Executors.newFixedThreadPool(replicas);
        try {
            List<Future<double[]>> fs = new ArrayList<>();
            for (int r = 0; r < replicas; r++) {
                int rank = r;
                fs.add(pool.submit(() -> {
                    try (RingAllReduce ring = RingAllReduce.connect(rank, peers, servers.get(rank),
                            Duration.ofMinutes(1))) {
                        FloatBuffer buf = ring.buffer(floats);
                        for (int i = 0; i < floats; i++) {
                            buf.put(i, (i % 1000) * 1e-3f + rank);
                        }
                        double[] ms = new double[reps];
                        for (int k = 0; k < warmup + reps; k++) {
                            long t0 = System.nanoTime();
                            ring.mean(floats);
                            if (k >= warmup) {
                                ms[k - warmup] = (System.nanoTime() - t0) / 1e6;
                            }
                        }
                        return ms;
                    }
                }));
            }
            double[] ms = null;
            for (Future<double[]> f : fs) {
                double[] m = f.get();
                ms = ms == null ? m : ms;
            }
            Arrays.sort(ms);
            double median = reps % 2 == 1 ? ms[reps / 2] : (ms[reps / 2 - 1] + ms[reps / 2]) / 2;
            return new Timing(floats, replicas, reps, median, ms[0], ms[reps - 1]);
        } catch (ExecutionException e) {
            throw new IOException("AllReduceBench: a replica failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("AllReduceBench: interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }
}
