package org.wegeft.distributed;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.lang.foreign.MemorySegment;
import java.nio.FloatBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A sum (or mean) all-reduce of a float vector among {@code n} processes connected in a ring over TCP, with plain
 * NIO: rank r sends to rank r+1 and receives from rank r−1 (mod n).
 *
 * <pre>
 *   vector cut into blocks of BLOCK floats; block k belongs to chunk c = k mod n
 *   reduce-scatter, s = 0 … n-2:  send c_{r-s} → next;  recv c_{r-s-1} ← prev, add into it
 *                                 (now rank r holds the full sum of chunk r+1)
 *   all-gather,     s = 0 … n-2:  send c_{r+1-s} → next;  recv c_{r-s} ← prev, overwrite it
 * </pre>
 *
 * Each rank sends and receives 2·(n−1)/n of the vector, whatever n. A chunk's blocks go one after another, each
 * sent while the previous one's data is still arriving. Every float is summed in an order fixed by its index (the
 * ranks c, c+1, … of its chunk c), so reducing a vector in ranges gives the bits of reducing it whole; every float
 * is summed at one rank and then copied, so after the call every rank holds bit-identical values — replicas that apply the same
 * optimizer step stay bit-identical. Sending and receiving overlap (non-blocking channels, one selector), so the
 * ring cannot deadlock on full socket buffers.
 *
 * <p>A peer that dies (connection closed or reset) or stays silent for {@code timeout} ends the call with an
 * {@link IOException} naming the peer's rank; an interrupted thread ends it with an {@link IOException} too.
 * Instances are not thread-safe: one thread per rank.
 */
public final class RingAllReduce implements AutoCloseable {
    private static final int BUFFER_BYTES = 4 << 20;
    /** Floats per block of the chunk layout (128 KiB): float i is summed starting at rank (i / BLOCK) mod n. */
    static final int BLOCK = 1 << 15;

    private final int rank;
    private final int size;
    private final Duration timeout;
    private final SocketChannel toNext;
    private final SocketChannel fromPrev;
    private final Selector selector;
    private ByteBuffer work = ByteBuffer.allocateDirect(0);
    private ByteBuffer scratch = ByteBuffer.allocateDirect(0);

    private RingAllReduce(int rank, int size, Duration timeout, SocketChannel toNext, SocketChannel fromPrev)
            throws IOException {
        this.rank = rank;
        this.size = size;
        this.timeout = timeout;
        this.toNext = toNext;
        this.fromPrev = fromPrev;
        this.selector = Selector.open();
        toNext.configureBlocking(false);
        fromPrev.configureBlocking(false);
    }

    /** A listening socket on {@code bind} (port 0: any free port), to publish before {@link #connect}. */
    public static ServerSocketChannel listen(InetSocketAddress bind) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_RCVBUF, BUFFER_BYTES);
        server.bind(bind);
        return server;
    }

    /**
     * Joins the ring: connects to rank {@code rank+1}'s address in {@code peers} (retrying until {@code timeout})
     * and accepts rank {@code rank-1}'s connection on {@code server}, which is closed afterwards. With one rank the
     * ring is empty and every reduce returns at once.
     *
     * @param peers every rank's listening address, by rank
     */
    public static RingAllReduce connect(int rank, List<InetSocketAddress> peers, ServerSocketChannel server,
            Duration timeout) throws IOException {
        int n = peers.size();
        if (n < 1 || rank < 0 || rank >= n) {
            throw new IllegalArgumentException("RingAllReduce: rank " + rank + " of " + n + " peers");
        }
        if (n == 1) {
            server.close();
            return new RingAllReduce(0, 1, timeout, SocketChannel.open(), SocketChannel.open());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        int next = (rank + 1) % n;
        int prev = (rank + n - 1) % n;
        SocketChannel out = null;
        SocketChannel in = null;
        try (server) {
            out = connectWithRetry(peers.get(next), next, deadline);
            ByteBuffer hello = ByteBuffer.allocate(8).putInt(0x57474654).putInt(rank).flip();
            while (hello.hasRemaining()) {
                out.write(hello);
            }
            server.configureBlocking(false);
            try (Selector acceptSel = Selector.open()) {
                server.register(acceptSel, SelectionKey.OP_ACCEPT);
                while (in == null) {
                    long left = (deadline - System.nanoTime()) / 1_000_000;
                    if (left <= 0) {
                        throw new IOException("RingAllReduce rank " + rank + ": rank " + prev + " did not connect"
                                + " within " + timeout);
                    }
                    acceptSel.select(left);
                    acceptSel.selectedKeys().clear();
                    in = server.accept();
                }
            }
            in.configureBlocking(true);
            in.socket().setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            ByteBuffer got = ByteBuffer.allocate(8);
            var stream = in.socket().getInputStream();
            byte[] b = stream.readNBytes(8);
            if (b.length < 8) {
                throw new IOException("RingAllReduce rank " + rank + ": incomplete hello from " + in.getRemoteAddress());
            }
            got.put(b).flip();
            int magic = got.getInt();
            int from = got.getInt();
            if (magic != 0x57474654 || from != prev) {
                throw new IOException("RingAllReduce rank " + rank + ": expected rank " + prev + " to connect, got "
                        + (magic == 0x57474654 ? "rank " + from : "a foreign client") + " from "
                        + in.getRemoteAddress());
            }
            for (SocketChannel c : List.of(out, in)) {
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                c.setOption(StandardSocketOptions.SO_SNDBUF, BUFFER_BYTES);
                c.setOption(StandardSocketOptions.SO_RCVBUF, BUFFER_BYTES);
            }
            return new RingAllReduce(rank, n, timeout, out, in);
        } catch (IOException | RuntimeException e) {
            closeQuietly(out);
            closeQuietly(in);
            throw e;
        }
    }

    private static SocketChannel connectWithRetry(InetSocketAddress addr, int peer, long deadline)
            throws IOException {
        IOException last = null;
        long sleep = 10;
        while (System.nanoTime() < deadline) {
            SocketChannel c = SocketChannel.open();
            try {
                c.setOption(StandardSocketOptions.SO_SNDBUF, BUFFER_BYTES);
                c.connect(addr);
                return c;
            } catch (IOException e) {
                c.close();
                last = e;
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("RingAllReduce: interrupted connecting to rank " + peer + " at " + addr, e);
            }
            sleep = Math.min(500, sleep * 2);
        }
        throw new IOException("RingAllReduce: cannot connect to rank " + peer + " at " + addr, last);
    }

    /** This process's rank. */
    public int rank() {
        return rank;
    }

    /** Processes in the ring. */
    public int size() {
        return size;
    }

    /** A direct, native-order buffer of {@code n} floats owned by this communicator (reused between calls). */
    public FloatBuffer buffer(int n) {
        if (work.capacity() < 4L * n) {
            work = ByteBuffer.allocateDirect(Math.multiplyExact(4, n)).order(ByteOrder.nativeOrder());
        }
        if (scratch.capacity() == 0) {
            scratch = ByteBuffer.allocateDirect(4 * BLOCK).order(ByteOrder.nativeOrder());
        }
        return work.clear().limit(4 * n).slice().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** Sums the first {@code n} floats of {@link #buffer} over all ranks, in place. */
    public void sum(int n) throws IOException {
        reduce(0, n, 1f);
    }

    /** Replaces the first {@code n} floats of {@link #buffer} by their mean over all ranks. */
    public void mean(int n) throws IOException {
        reduce(0, n, size);
    }

    /**
     * Replaces floats {@code [from, to)} of {@link #buffer} by their mean over all ranks. Each float is summed in
     * the order its index fixes, whatever the range: reducing a vector range by range (as gradient buckets are)
     * gives the same bits as reducing it whole.
     */
    public void mean(int from, int to) throws IOException {
        reduce(from, to, size);
    }

    /**
     * The ring over floats {@code [from, to)}: reduce-scatter (each received float added as soon as it arrives,
     * overlapping the transfer), the owner of each summed chunk divides it by {@code divisor}, all-gather.
     */
    private void reduce(int from, int to, float divisor) throws IOException {
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("RingAllReduce: range [" + from + ", " + to + ")");
        }
        if (size == 1 || from == to) {
            return;
        }
        if (work.capacity() < 4L * to) {
            throw new IllegalArgumentException("RingAllReduce: " + to + " floats, but buffer(" + to + ") not taken");
        }
        ByteBuffer data = work.duplicate().order(ByteOrder.nativeOrder()).clear();
        MemorySegment dataSeg = MemorySegment.ofBuffer(data);
        MemorySegment scratchSeg = MemorySegment.ofBuffer(scratch.duplicate().clear());
        for (int s = 0; s < size - 1; s++) {
            int[] send = blocks(Math.floorMod(rank - s, size), from, to);
            int[] recv = blocks(Math.floorMod(rank - s - 1, size), from, to);
            for (int j = 0; j < Math.max(send.length, recv.length); j += 2) {
                int rFrom = j < recv.length ? recv[j] : 0;
                int rLen = j < recv.length ? recv[j + 1] - rFrom : 0;
                exchange(run(data, send, j), scratch.duplicate().clear().limit(4 * rLen),
                        (a, b) -> FloatOps.addInto(dataSeg, rFrom + a, scratchSeg, a, b - a));
            }
        }
        int[] own = blocks(Math.floorMod(rank + 1, size), from, to);
        if (divisor != 1f) {
            for (int j = 0; j < own.length; j += 2) {
                FloatOps.divide(dataSeg, own[j], own[j + 1] - own[j], divisor);
            }
        }
        for (int s = 0; s < size - 1; s++) {
            int[] send = blocks(Math.floorMod(rank + 1 - s, size), from, to);
            int[] recv = blocks(Math.floorMod(rank - s, size), from, to);
            for (int j = 0; j < Math.max(send.length, recv.length); j += 2) {
                exchange(run(data, send, j), run(data, recv, j), (a, b) -> { });
            }
        }
    }

    /** Sums {@code values} over all ranks, in place (copied through {@link #buffer}). */
    public void sum(float[] values) throws IOException {
        buffer(values.length).put(values);
        sum(values.length);
        buffer(values.length).get(values);
    }

    /**
     * The runs {@code [a_0, b_0, a_1, b_1, …]} of chunk {@code c} inside floats {@code [from, to)}: float i belongs
     * to chunk {@code (i / BLOCK) mod size}, so every range of many blocks is shared evenly by the ranks.
     */
    private int[] blocks(int c, int from, int to) {
        int first = from / BLOCK;
        int last = (to - 1) / BLOCK;
        int k0 = first + Math.floorMod(c - first, size);
        int count = k0 > last ? 0 : (last - k0) / size + 1;
        int[] runs = new int[2 * count];
        for (int i = 0; i < count; i++) {
            long k = k0 + (long) i * size;
            runs[2 * i] = (int) Math.max(from, k * BLOCK);
            runs[2 * i + 1] = (int) Math.min(to, (k + 1) * BLOCK);
        }
        return runs;
    }

    /** Run {@code j / 2} of {@code runs} as bytes of {@code data}; empty past the last run. */
    private static ByteBuffer run(ByteBuffer data, int[] runs, int j) {
        if (j >= runs.length) {
            return data.duplicate().limit(0);
        }
        return data.duplicate().limit(4 * runs[j + 1]).position(4 * runs[j]);
    }

    /** Called as whole floats {@code [from, to)} of a receive buffer arrive. */
    private interface Arrived {
        void floats(int from, int to);
    }

    /**
     * Sends {@code out} to the next rank while receiving {@code in} from the previous one, telling {@code arrived}
     * about each new run of complete floats of {@code in}.
     */
    private void exchange(ByteBuffer out, ByteBuffer in, Arrived arrived) throws IOException {
        if (!out.hasRemaining() && !in.hasRemaining()) {
            return;
        }
        try {
            transfer(out, in, arrived);
        } catch (RingException e) {
            throw e;
        } catch (IOException | ClosedSelectorException | CancelledKeyException e) {
            // a reset or closed connection (or this end closed under the call): say which neighbours
            throw new RingException("RingAllReduce rank " + rank + ": connection to rank " + (rank + size - 1) % size
                    + " / rank " + (rank + 1) % size + " failed: " + e, e);
        }
    }

    /** An I/O failure of the ring whose message already names the ranks. */
    private static final class RingException extends IOException {
        RingException(String message) {
            super(message);
        }

        RingException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private void transfer(ByteBuffer out, ByteBuffer in, Arrived arrived) throws IOException {
        int prev = (rank + size - 1) % size;
        int next = (rank + 1) % size;
        SelectionKey wk = toNext.keyFor(selector) != null ? toNext.keyFor(selector)
                : toNext.register(selector, 0);
        SelectionKey rk = fromPrev.keyFor(selector) != null ? fromPrev.keyFor(selector)
                : fromPrev.register(selector, 0);
        long waitMs = Math.max(1, timeout.toMillis());
        int inStart = in.position();
        int done = 0;
        while (out.hasRemaining() || in.hasRemaining()) {
            boolean progress = false;
            if (out.hasRemaining()) {
                progress |= toNext.write(out) > 0;
            }
            if (in.hasRemaining()) {
                int k = fromPrev.read(in);
                if (k < 0) {
                    throw new RingException("RingAllReduce rank " + rank + ": rank " + prev + " closed the connection");
                }
                if (k > 0) {
                    progress = true;
                    int whole = (in.position() - inStart) / 4;
                    if (whole - done >= 16384 || !in.hasRemaining()) {
                        arrived.floats(done, whole);
                        done = whole;
                    }
                }
            }
            if (progress || (!out.hasRemaining() && !in.hasRemaining())) {
                continue;
            }
            wk.interestOps(out.hasRemaining() ? SelectionKey.OP_WRITE : 0);
            rk.interestOps(in.hasRemaining() ? SelectionKey.OP_READ : 0);
            int ready = selector.select(waitMs);
            selector.selectedKeys().clear();
            if (Thread.interrupted()) {
                throw new RingException("RingAllReduce rank " + rank + ": interrupted");
            }
            if (ready == 0) {
                throw new RingException("RingAllReduce rank " + rank + ": no data from rank " + prev + " / to rank "
                        + next + " for " + timeout);
            }
        }
    }

    @Override
    public void close() {
        closeQuietly(selector);
        closeQuietly(toNext);
        closeQuietly(fromPrev);
    }

    private static void closeQuietly(@Nullable Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing a broken connection: nothing left to do
            }
        }
    }
}
