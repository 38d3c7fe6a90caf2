package org.wegeft.distributed;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A {@link RingAllReduce} of threads of this JVM joined over loopback TCP (what {@code local[N]} Spark tasks do):
 * data-parallel replicas for tests and benchmarks on one machine.
 */
public final class LoopbackRing {
    private LoopbackRing() {
    }

    /** Work of one rank, given its connected ring. */
    public interface RankWork<T> {
        T run(RingAllReduce ring) throws Exception;
    }

    /**
     * Runs {@code work} on {@code n} threads joined in a loopback ring; results by rank.
     * @throws ExecutionException the first failure, in rank order, of a rank's work
     */
    public static <T> List<T> run(int n, Duration timeout, RankWork<T> work)
            throws IOException, ExecutionException, InterruptedException {
        List<ServerSocketChannel> servers = new ArrayList<>();
        List<InetSocketAddress> peers = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            ServerSocketChannel s = RingAllReduce.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            servers.add(s);
            peers.add((InetSocketAddress) s.getLocalAddress());
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<T>> fs = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                int rank = r;
                fs.add(pool.submit(() -> {
                    try (RingAllReduce ring = RingAllReduce.connect(rank, peers, servers.get(rank), timeout)) {
                        return work.run(ring);
                    }
                }));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : fs) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
