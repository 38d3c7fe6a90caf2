package org.wegeft.tensor;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.BinaryOp;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.UnaryOp;

/**
 * How the cheap ops compute their output again after {@link Grad#recomputingActivations()} let it go: each recipe
 * holds saved views of the op's own inputs (the ones its node keeps for backward anyway, so nothing is held longer
 * than before) and calls the forward's kernel with the forward's arguments, so the recomputed output has the same
 * bits.
 */
final class Refills {
    private Refills() {
    }

    /**
     * Whether a freshly computed output should be made evictable: the setting is on and the output owns its whole
     * storage. The caller then hands its recipe to {@link Storage#recomputeOnDemand}.
     */
    static boolean wanted(Tensor out) {
        return Grad.isRecomputingActivations() && out.isContiguous() && out.storageOffset() == 0
                && out.numel() == out.storage().elements();
    }

    /** True when t can be read by a recipe as it is (contiguous float32: the forward read it the same way). */
    static boolean direct(Tensor t) {
        return t.dtype() == DType.F32 && t.isContiguous();
    }

    /** y = f(x). */
    record Unary(UnaryOp op, Tensor x, long n) implements Storage.Refill {
        @Override
        public void fill(MemorySegment dst) {
            Raw.be().unary(op, x.seg(), dst, n);
        }

        @Override
        public void close() {
            x.close();
        }
    }

    /** y = f(a) · b, a and b contiguous of one shape ({@link GatedUnaryOp}). */
    record Gated(UnaryOp op, Tensor a, Tensor b) implements Storage.Refill {
        @Override
        public void fill(MemorySegment dst) {
            long[] shape = a.shapeRef();
            try (Tensor fa = Raw.unary(op, a)) {
                Raw.be().binary(BinaryOp.MUL, Shapes.toInt(shape, "gated"), fa.seg(),
                        Shapes.broadcastStrides(shape, fa.stridesRef(), shape), b.seg(),
                        Shapes.broadcastStrides(shape, b.stridesRef(), shape), dst);
            }
        }

        @Override
        public void close() {
            a.close();
            b.close();
        }
    }

    /** LayerNorm's y; its per-row statistics go to scratch (the node keeps its own). */
    record LayerNorm(Tensor x, @Nullable Tensor gamma, @Nullable Tensor beta, int rows, int cols, float eps)
            implements Storage.Refill {
        @Override
        public void fill(MemorySegment dst) {
            try (Tensor mean = Raw.empty(DType.F32, new long[] {rows});
                 Tensor rstd = Raw.empty(DType.F32, new long[] {rows})) {
                Raw.be().layerNorm(x.seg(), gamma == null ? MemorySegment.NULL : gamma.seg(),
                        beta == null ? MemorySegment.NULL : beta.seg(), dst, mean.seg(), rstd.seg(), rows, cols, eps);
            }
        }

        @Override
        public void close() {
            x.close();
            if (gamma != null) {
                gamma.close();
            }
            if (beta != null) {
                beta.close();
            }
        }
    }

    /** RMSNorm's y; its per-row rstd goes to scratch. */
    record RmsNorm(Tensor x, @Nullable Tensor weight, int rows, int cols, float eps) implements Storage.Refill {
        @Override
        public void fill(MemorySegment dst) {
            try (Tensor rstd = Raw.empty(DType.F32, new long[] {rows})) {
                Raw.be().rmsNorm(x.seg(), weight == null ? MemorySegment.NULL : weight.seg(), dst, rstd.seg(), rows,
                        cols, eps);
            }
        }

        @Override
        public void close() {
            x.close();
            if (weight != null) {
                weight.close();
            }
        }
    }
}
