package org.wegeft.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RingAllReduceTest {
    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    @ParameterizedTest(name = "{0} ranks, {1} floats")
    @CsvSource({"1, 10", "2, 1", "2, 7", "2, 100000", "3, 2", "3, 1001", "4, 65537"})
    void everyRankGetsTheSameSumOfAllVectors(int ranks, int n) throws Exception {
        List<float[]> got = LoopbackRing.run(ranks, Duration.ofSeconds(30), ring -> {
            float[] v = random(n, ring.rank());
            ring.sum(v);
            return v;
        });
        double[] expect = new double[n];
        for (int r = 0; r < ranks; r++) {
            float[] v = random(n, r);
            for (int i = 0; i < n; i++) {
                expect[i] += v[i];
            }
        }
        for (int i = 0; i < n; i++) {
            assertEquals(expect[i], got.getFirst()[i], 1e-6, "element " + i);
        }
        for (int r = 1; r < ranks; r++) {
            assertArrayEquals(got.getFirst(), got.get(r), "rank " + r + " is bit-identical to rank 0");
        }
    }

    @Test
    void meanDividesByTheRingSizeAndRepeatedCallsReuseTheBuffer() throws Exception {
        List<float[]> got = LoopbackRing.run(3, Duration.ofSeconds(30), ring -> {
            float[] last = null;
            for (int round = 0; round < 5; round++) {
                int n = 50 + round;
                var buf = ring.buffer(n);
                for (int i = 0; i < n; i++) {
                    buf.put(i, ring.rank() * 3f + round);
                }
                ring.mean(n);
                last = new float[n];
                ring.buffer(n).get(last);
            }
            return last;
        });
        for (float[] v : got) {
            assertEquals(54, v.length);
            for (float x : v) {
                assertEquals((0f + 3f + 6f) / 3f + 4f, x, 0f);
            }
        }
    }

    @Test
    void aPeerThatClosesItsConnectionFailsTheOthersNamingIt() {
        ExecutionException e = assertThrows(ExecutionException.class, () -> LoopbackRing.run(2, Duration.ofSeconds(30), ring -> {
            if (ring.rank() == 1) {
                return null; // leaves without reducing: its connections close
            }
            ring.sum(new float[1000]);
            return null;
        }));
        IOException io = assertInstanceOf(IOException.class, e.getCause());
        assertTrue(io.getMessage().contains("rank 1"), io.getMessage());
    }

    @Test
    void aSilentPeerTimesOut() {
        ExecutionException e = assertThrows(ExecutionException.class, () -> LoopbackRing.run(2, Duration.ofMillis(300), ring -> {
            if (ring.rank() == 1) {
                Thread.sleep(1500);
                return null;
            }
            ring.sum(new float[10]);
            return null;
        }));
        IOException io = assertInstanceOf(IOException.class, e.getCause());
        assertTrue(io.getMessage().contains("no data from rank 1"), io.getMessage());
    }

    @Test
    void aForeignClientIsRejected() throws Exception {
        List<InetSocketAddress> peers = new ArrayList<>();
        ServerSocketChannel s0 = RingAllReduce.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        ServerSocketChannel s1 = RingAllReduce.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        peers.add((InetSocketAddress) s0.getLocalAddress());
        peers.add((InetSocketAddress) s1.getLocalAddress());
        try (var c = java.nio.channels.SocketChannel.open(peers.get(0))) {
            c.write(java.nio.ByteBuffer.wrap("GET / HTTP/1.1\r\n\r\n".getBytes()));
            IOException e = assertThrows(IOException.class,
                    () -> RingAllReduce.connect(0, peers, s0, Duration.ofSeconds(2)));
            assertTrue(e.getMessage().contains("expected rank 1 to connect, got a foreign client"), e.getMessage());
        } finally {
            s1.close();
        }
    }

    @Test
    void badRankIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> RingAllReduce.connect(2,
                List.of(new InetSocketAddress(1), new InetSocketAddress(2)), ServerSocketChannel.open(),
                Duration.ofSeconds(1)));
    }
}
