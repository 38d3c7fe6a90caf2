package org.wegeft.distributed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.util.List;
import org.wegeft.nn.train.GradientHook;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;

/**
 * The {@link GradientHook} of a data-parallel replica: every step it replaces each trainable parameter's gradient
 * by the mean over all replicas (one {@link RingAllReduce} of the gradients, one "has a gradient" flag per
 * parameter and the loss, packed into one vector) and returns the mean loss. With every replica computing the mean
 * loss of an equal share of the global batch, the averaged gradient is the global batch's gradient.
 *
 * <p>A parameter that got no gradient on some replica counts as a zero gradient there; one that got none anywhere
 * keeps none (the optimizer skips it, as in a single process). Time spent here is summed in {@link #syncNanos}.
 */
public final class GradientAverager implements GradientHook {
    private final RingAllReduce ring;
    private long syncNanos;
    private long calls;

    public GradientAverager(RingAllReduce ring) {
        this.ring = ring;
    }

    @Override
    public float afterBackward(long step, List<Tensor> trainable, float loss) {
        long t0 = System.nanoTime();
        int n = 1 + trainable.size();
        for (Tensor p : trainable) {
            n = Math.addExact(n, Math.toIntExact(p.numel()));
        }
        FloatBuffer buf = ring.buffer(n);
        for (Tensor p : trainable) {
            Tensor g = p.grad();
            if (g != null) {
                buf.put(g.toFloatArray());
            } else {
                buf.position(buf.position() + (int) p.numel());
            }
        }
        for (Tensor p : trainable) {
            buf.put(p.grad() != null ? 1f : 0f);
        }
        buf.put(loss);
        try {
            ring.mean(n);
        } catch (IOException e) {
            throw new UncheckedIOException("gradient all-reduce of step " + step + " failed: " + e.getMessage(), e);
        }
        buf.rewind();
        int flags = n - 1 - trainable.size();
        try (var g = Grad.disabled()) {
            int at = 0;
            for (int i = 0; i < trainable.size(); i++) {
                Tensor p = trainable.get(i);
                int k = (int) p.numel();
                if (buf.get(flags + i) > 0f) {
                    float[] v = new float[k];
                    buf.get(at, v);
                    Tensor mean = Tensor.of(v, p.shape());
                    Tensor grad = p.grad();
                    if (grad == null) {
                        p.setGrad(mean);
                    } else {
                        grad.copyFrom(mean);
                        mean.close();
                    }
                }
                at += k;
            }
        }
        float meanLoss = buf.get(n - 1);
        syncNanos += System.nanoTime() - t0;
        calls++;
        return meanLoss;
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
                buf.put(p.toFloatArray());
            }
        } else {
            for (int i = 0; i < n; i++) {
                buf.put(i, 0f);
            }
        }
        try {
            ring.sum(n);
        } catch (IOException e) {
            throw new UncheckedIOException("broadcast of the initial parameters failed: " + e.getMessage(), e);
        }
        if (ring.rank() != 0) {
            int at = 0;
            try (var g = Grad.disabled()) {
                for (Tensor p : params) {
                    int k = (int) p.numel();
                    float[] v = new float[k];
                    buf.get(at, v);
                    try (Tensor t = Tensor.of(v, p.shape())) {
                        p.copyFrom(t);
                    }
                    at += k;
                }
            }
        }
    }

    /** Nanoseconds spent in {@link #afterBackward} (packing, all-reduce, unpacking), summed over calls. */
    public long syncNanos() {
        return syncNanos;
    }

    /** Steps synchronised so far. */
    public long calls() {
        return calls;
    }
}
