package org.wegeft.tensor;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.ReduceOp;
import org.wegeft.kernels.WeightDropout;

/**
 * y = x·Wᵀ + b with W (out, in) as stored: one GEMM with transB that adds the bias in its store
 * ({@code gemmBias}). Fused form of {@code x.matmul(W.t()).add(b)}. A half-precision W is read in its own dtype.
 * Backward: dx = dy·W, dW = dyᵀ·x over all rows, db = Σ_rows dy; a frozen W gets no gradient.
 *
 * <p>With a {@link WeightDropout}, W is replaced by drop(W) in both products, the mask generated inside each GEMM
 * from the same key and never stored (WeGeFT's generator reads its frozen weight this way); W must then be frozen.
 */
final class LinearOp extends Node {
    private final @Nullable Tensor x;
    private final @Nullable Tensor w;
    private final long outFeatures;
    private final long inFeatures;
    private final @Nullable WeightDropout dropout;

    private LinearOp(Tensor x, Tensor w, @Nullable Tensor bias, @Nullable WeightDropout dropout) {
        super(bias == null ? new Tensor[] {x, w} : new Tensor[] {x, w, bias});
        this.dropout = dropout;
        this.outFeatures = w.shapeRef()[0];
        this.inFeatures = w.shapeRef()[1];
        this.x = needsGrad(1) ? save(x) : null;
        this.w = needsGrad(0) ? save(w) : null;
    }

    static Tensor apply(Tensor x, Tensor w, @Nullable Tensor bias) {
        return apply(x, w, bias, null);
    }

    static Tensor apply(Tensor x, Tensor w, @Nullable Tensor bias, @Nullable WeightDropout dropout) {
        // x: (..., in)  w: (out, in)  bias: (out)
        if (dropout != null && w.requiresGrad()) {
            throw new IllegalArgumentException("linear: weight dropout needs a frozen weight, got a trainable " + w);
        }
        if (w.dim() != 2 || x.dim() < 1 || x.size(-1) != w.size(1)) {
            throw new ShapeMismatchException("linear: input " + x + " does not match weight " + w
                    + " (expected (..., " + (w.dim() == 2 ? w.size(1) : "?") + "))");
        }
        long out = w.size(0);
        if (bias != null && (bias.dim() != 1 || bias.size(0) != out)) {
            throw new ShapeMismatchException("linear: bias " + bias + " does not match weight " + w);
        }
        long[] outShape = x.shape();
        outShape[outShape.length - 1] = out;
        // a selective checkpoint's recomputation may hand back the output its forward kept (Recompute); a product
        // with weight dropout is always recomputed (its shape can match a kept projection's)
        boolean keep = dropout == null && Recompute.keeps(Recompute.Op.LINEAR, w.size(1), out);
        Tensor[] kept = keep ? Recompute.replay(outShape) : null;
        Tensor y = kept != null ? kept[0] : Raw.empty(DType.F32, outShape);
        if (kept == null) {
            compute(x, w, bias, dropout, y, out);
            if (keep) {
                Recompute.record(y);
            }
        }
        boolean record = bias == null ? Node.shouldRecord(x, w) : Node.shouldRecord(x, w, bias);
        return record ? Node.record(y, new LinearOp(x, w, bias, dropout)) : y;
    }

    /**
     * y = x·Wᵀ (+ bias): the bias as N contiguous floats (a copy of at most a few thousand), added in the GEMM's
     * store (gemmBias).
     */
    private static void compute(Tensor x, Tensor w, @Nullable Tensor bias, @Nullable WeightDropout dropout, Tensor y,
                                long out) {
        try (Tensor bc = bias == null ? null : Raw.contiguousAs(bias, DType.F32)) {
            MemorySegment b = bc == null ? null : bc.seg();
            try (Tensor wt = Raw.transposedWeight(w)) {
                if (x.dim() == 1) {
                    try (Tensor x2 = x.viewOf(x.storageOffset(), new long[] {1, x.size(0)},
                            new long[] {x.size(0) * x.stridesRef()[0], x.stridesRef()[0]});
                         Tensor y2 = y.viewOf(0, new long[] {1, out}, new long[] {out, 1})) {
                        Raw.gemmInto(x2, wt, y2, 0f, b, dropout);
                    }
                } else {
                    Raw.gemmInto(x, wt, y, 0f, b, dropout);
                }
            }
        }
    }

    @Override
    @Nullable Tensor[] backward(Tensor g) {
        Tensor[] grads = new Tensor[inputs().length];
        // g: (..., out)
        try (Tensor gf = g.reshape(-1, outFeatures)) {
            if (w != null) {
                try (Tensor gx = dropout == null ? Raw.matmul(gf, w) : droppedProduct(gf, w, dropout)) {
                    grads[0] = gx.reshape(inputs()[0].shapeRef());
                }
            }
            if (x != null) {
                try (Tensor xf = x.reshape(-1, inFeatures); Tensor gft = gf.t()) {
                    grads[1] = Raw.matmul(gft, xf);
                }
            }
            if (grads.length == 3 && needsGrad(2)) {
                grads[2] = Raw.reduce(ReduceOp.SUM, gf, 0, false);
            }
        }
        return grads;
    }

    /** g · drop(W): (rows, out) · (out, in). */
    private static Tensor droppedProduct(Tensor g, Tensor w, WeightDropout dropout) {
        Tensor gx = Raw.empty(DType.F32, new long[] {g.size(0), w.size(1)});
        Raw.gemmInto(g, w, gx, 0f, null, dropout);
        return gx;
    }
}
