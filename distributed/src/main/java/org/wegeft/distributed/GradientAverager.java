package org.wegeft.distributed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.train.GradientHook;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;

/**
 * The {@link GradientHook} of a data-parallel replica: every step it replaces each trainable parameter's gradient
 * by the mean over all replicas and returns the mean loss. With every replica computing the mean loss of an equal
 * share of the global batch, the averaged gradient is the global batch's gradient.
 *
 * <p>One vector holds the step: every gradient (in parameter order), one "has a gradient" flag per parameter, the
 * loss. It is reduced in buckets, as PyTorch's DistributedDataParallel does:
 *
 * <pre>
 *   vector:   [ g_0 | g_1 | … | g_{m-1} | flags | loss ]
 *   buckets:         └─ b_2 ─┘└── b_1 ──┘└b_0┘  tail      (about bucketBytes each, last parameters first)
 *   backward thread:  g_{m-1} final (Tensor.onGradReady) → copy in; … bucket b_0 complete → hand it over
 *   ring thread:      mean(b_0) ─ mean(b_1) ─ … while backward runs on;  mean(tail) after it
 *   afterBackward:    copy in what never fired (no gradient: zeros), the flags and the loss; wait; copy out
 * </pre>
 *
 * The buckets are reduced in this fixed order on every replica, and {@link RingAllReduce#mean(int, int)} sums each
 * float in an order its index fixes, so the result is bit for bit that of reducing the whole vector at once (with
 * {@code bucketBytes} 0, which is that). A parameter that got no gradient on some replica counts as a zero
 * gradient there; one that got none anywhere keeps none (the optimizer skips it, as in a single process). Overlap
 * needs the trainer to call {@link #beforeLastBackward} ({@link org.wegeft.nn.train.Trainer} does); without it the
 * buckets are all reduced in {@link #afterBackward}.
 *
 * <p>{@link #syncNanos} sums the time spent in {@link #afterBackward}: what a step waits for communication after its
 * backward ends. Close the averager to stop its ring thread.
 */
public final class GradientAverager implements GradientHook, AutoCloseable {
    /** The bucket size PyTorch's DistributedDataParallel uses by default: 25 MiB. */
    public static final long DEFAULT_BUCKET_BYTES = 25L << 20;
    /** The first bucket's cap (as DDP's): small, so the ring starts early in backward. */
    static final long FIRST_BUCKET_BYTES = 1L << 20;

    private final RingAllReduce ring;
    private final long bucketBytes;
    private @Nullable ExecutorService ringThread;
    private @Nullable Layout layout;
    private @Nullable Round round;
    private long syncNanos;
    private long calls;

    /** Averages in buckets of {@link #DEFAULT_BUCKET_BYTES}. */
    public GradientAverager(RingAllReduce ring) {
        this(ring, DEFAULT_BUCKET_BYTES);
    }

    /**
     * Averages in buckets of about {@code bucketBytes} bytes of gradient (the first at most 1 MiB, so the ring starts
     * early; a parameter is never split, a larger one is a bucket of its own); 0 reduces the whole vector once,
     * after backward.
     */
    public GradientAverager(RingAllReduce ring, long bucketBytes) {
        if (bucketBytes < 0) {
            throw new IllegalArgumentException("GradientAverager: bucketBytes must be >= 0, got " + bucketBytes);
        }
        this.ring = ring;
        this.bucketBytes = bucketBytes;
    }

    /** Where each parameter's gradient sits in the vector, and the buckets in reduction order. */
    private record Layout(List<Tensor> params, Map<Tensor, Integer> index, int[] offset, int[] bucketOf,
            int[] bucketFrom, int[] bucketTo, int[] bucketParams, int gradFloats, int floats) {
        static Layout of(List<Tensor> params, long bucketBytes) {
            int m = params.size();
            Map<Tensor, Integer> index = new IdentityHashMap<>();
            int[] offset = new int[m + 1];
            for (int i = 0; i < m; i++) {
                index.put(params.get(i), i);
                offset[i + 1] = Math.addExact(offset[i], Math.toIntExact(params.get(i).numel()));
            }
            int grads = offset[m];
            int[] bucketOf = new int[m];
            int[] from = new int[m + 1];
            int[] to = new int[m + 1];
            int[] count = new int[m + 1];
            int b = 0;
            long limit = bucketBytes == 0 ? Long.MAX_VALUE : Math.max(1, Math.min(bucketBytes, FIRST_BUCKET_BYTES) / 4);
            for (int i = m - 1; i >= 0; i--) {
                if (count[b] == 0) {
                    to[b] = offset[i + 1];
                }
                bucketOf[i] = b;
                count[b]++;
                from[b] = offset[i];
                if (to[b] - from[b] >= limit) {
                    b++;
                    limit = Math.max(1, bucketBytes / 4);
                }
            }
            int buckets = count[b] == 0 ? b : b + 1;
            return new Layout(List.copyOf(params), index, offset, bucketOf, Arrays.copyOf(from, buckets),
                    Arrays.copyOf(to, buckets), Arrays.copyOf(count, buckets), grads,
                    Math.addExact(grads, m + 1));
        }

        int buckets() {
            return bucketFrom.length;
        }
    }

    /** One step's reduction: which gradients are in, which buckets are complete, the ring thread's work. */
    private static final class Round {
        final long step;
        final FloatBuffer buf;
        final boolean[] copied;
        final CountDownLatch[] ready;
        final CountDownLatch tail = new CountDownLatch(1);
        @Nullable Future<?> work;

        Round(long step, Layout l, FloatBuffer buf) {
            this.step = step;
            this.buf = buf;
            this.copied = new boolean[l.params().size()];
            this.ready = new CountDownLatch[l.buckets()];
            for (int b = 0; b < ready.length; b++) {
                ready[b] = new CountDownLatch(l.bucketParams()[b]);
            }
        }
    }

    @Override
    public void beforeLastBackward(long step, List<Tensor> trainable) {
        if (bucketBytes == 0 || round != null) {
            return;
        }
        Layout l = layout(trainable);
        Round r = start(step, l);
        for (Tensor p : l.params()) {
            p.onGradReady(leaf -> copyIn(l, r, l.index().get(leaf)));
        }
    }

    @Override
    public float afterBackward(long step, List<Tensor> trainable, float loss) {
        long t0 = System.nanoTime();
        Layout l = layout(trainable);
        Round r = round;
        if (r == null) {
            r = start(step, l);
        }
        round = null;
        for (Tensor p : l.params()) {
            p.onGradReady(null);
        }
        for (int i = 0; i < r.copied.length; i++) {
            copyIn(l, r, i);
        }
        int m = l.params().size();
        for (int i = 0; i < m; i++) {
            r.buf.put(l.gradFloats() + i, l.params().get(i).grad() != null ? 1f : 0f);
        }
        r.buf.put(l.floats() - 1, loss);
        r.tail.countDown();
        if (r.work != null) {
            await(r);
        } else {
            reduce(r.step, 0, l.floats());
        }
        try (var g = Grad.disabled()) {
            for (int i = 0; i < m; i++) {
                if (r.buf.get(l.gradFloats() + i) > 0f) {
                    Tensor p = l.params().get(i);
                    FloatBuffer mean = r.buf.duplicate().position(l.offset()[i]);
                    Tensor grad = p.grad();
                    if (grad == null) {
                        p.setGrad(Tensor.zeros(p.shape()).copyFrom(mean));
                    } else {
                        grad.copyFrom(mean);
                    }
                }
            }
        }
        float meanLoss = r.buf.get(l.floats() - 1);
        syncNanos += System.nanoTime() - t0;
        calls++;
        return meanLoss;
    }

    private Layout layout(List<Tensor> trainable) {
        Layout l = layout;
        if (l == null || !l.params().equals(trainable)) {
            l = Layout.of(trainable, bucketBytes);
            layout = l;
        }
        return l;
    }

    /** A new round over the ring's buffer; with buckets, the ring thread starts waiting for the first one. */
    private Round start(long step, Layout l) {
        Round r = new Round(step, l, ring.buffer(l.floats()));
        if (bucketBytes > 0) {
            r.work = ringThread().submit(() -> {
                for (int b = 0; b < l.buckets(); b++) {
                    r.ready[b].await();
                    reduce(step, l.bucketFrom()[b], l.bucketTo()[b]);
                }
                r.tail.await();
                reduce(step, l.gradFloats(), l.floats());
                return null;
            });
        }
        round = r;
        return r;
    }

    /** Puts parameter i's gradient (zeros when it has none) into the vector, once per round. */
    private static void copyIn(Layout l, Round r, int i) {
        if (r.copied[i]) {
            return;
        }
        r.copied[i] = true;
        Tensor g = l.params().get(i).grad();
        FloatBuffer at = r.buf.duplicate().position(l.offset()[i]).limit(l.offset()[i + 1]);
        if (g != null) {
            g.copyTo(at);
        } else {
            MemorySegment.ofBuffer(at).fill((byte) 0);
        }
        if (l.buckets() > 0) {
            r.ready[l.bucketOf()[i]].countDown();
        }
    }

    private void reduce(long step, int from, int to) {
        try {
            ring.mean(from, to);
        } catch (IOException e) {
            throw new UncheckedIOException("gradient all-reduce of step " + step + " failed: " + e.getMessage(), e);
        }
    }

    /** Waits for the ring thread's round; its failure is this step's. */
    private static void await(Round r) {
        try {
            r.work.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof UncheckedIOException u) {
                throw new UncheckedIOException(u.getMessage(), u.getCause());
            }
            throw new IllegalStateException("gradient all-reduce of step " + r.step + " failed: " + c, c);
        } catch (InterruptedException e) {
            r.work.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("gradient all-reduce of step " + r.step + ": interrupted", e);
        }
    }

    private ExecutorService ringThread() {
        if (ringThread == null) {
            ringThread = Executors.newSingleThreadExecutor(task -> {
                Thread t = new Thread(task, "wegeft-allreduce-rank-" + ring.rank());
                t.setDaemon(true);
                return t;
            });
        }
        return ringThread;
    }

    /**
     * Copies rank 0's values of {@code params} to every replica (a sum in which the others contribute zeros), so the
     * replicas start identical even when the model factory is not seeded.
     */
    public void broadcastFromRank0(List<Tensor> params) {
        int n = 0;
        for (Tensor p : params) {
            n = Math.addExact(n, Math.toIntExact(p.numel()));
        }
        FloatBuffer buf = ring.buffer(n);
        if (ring.rank() == 0) {
            for (Tensor p : params) {
                p.copyTo(buf);
            }
        } else {
            MemorySegment.ofBuffer(buf).fill((byte) 0);
        }
        try {
            ring.sum(n);
        } catch (IOException e) {
            throw new UncheckedIOException("broadcast of the initial parameters failed: " + e.getMessage(), e);
        }
        if (ring.rank() != 0) {
            buf.rewind();
            try (var g = Grad.disabled()) {
                for (Tensor p : params) {
                    p.copyFrom(buf);
                }
            }
        }
    }

    /** Nanoseconds spent in {@link #afterBackward} (the wait for communication after backward), summed. */
    public long syncNanos() {
        return syncNanos;
    }

    /** Steps synchronised so far. */
    public long calls() {
        return calls;
    }

    /** Stops the ring thread (a round in progress fails) and removes the gradient hooks. */
    @Override
    public void close() {
        Layout l = layout;
        if (l != null) {
            for (Tensor p : l.params()) {
                p.onGradReady(null);
            }
        }
        round = null;
        if (ringThread != null) {
            ringThread.shutdownNow();
        }
    }
}
