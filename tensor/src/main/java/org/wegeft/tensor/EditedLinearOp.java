package org.wegeft.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.GemmSpec;

/**
 * y = (x + scale·(x aᵀ) b)·Wᵀ + bias with W (out, in) frozen: WeGeFT's representation form
 * ({@code (x + s·(x psiᵀ) phi)·Wᵀ + b}) in one node. Forward computes u = a xᵀ (r × rows) and hands x, u and b to the
 * frozen product ({@code KernelBackend.gemmEditedA}), which applies the edit as it reads x: the edited copy of x, a
 * (rows × in) activation per adapted layer, is never in memory. Backward is the composition's: dx' = g·W, then the
 * edit's gradients from dx' ({@link LowRankEditOp#gradients}), accumulating dx into dx'.
 *
 * <p>The same bits as {@link LowRankEditOp} followed by {@link LinearOp}, which it runs instead when the backend
 * does not edit inside this product ({@code fusesEditedA}: it would write the edited copy anyway), W or the bias is
 * trainable, W is quantized or not a contiguous (out, in) matrix, or there is nothing to multiply. Takes part in
 * selective checkpoints as the composition's linear layer does ({@link Recompute}).
 */
final class EditedLinearOp extends Node {
    private final float scale;
    private final long rows;
    private final int d;
    private final int r;
    private final Tensor w;
    private final @Nullable Tensor x;
    private final @Nullable Tensor u;
    private final Tensor a;
    private final Tensor b;

    private EditedLinearOp(Tensor xIn, Tensor aIn, Tensor bIn, Tensor w, Tensor xFlat, Tensor uFlat, Tensor aC,
                           Tensor bC, float scale) {
        super(xIn, aIn, bIn);
        this.scale = scale;
        this.rows = xFlat.shapeRef()[0];
        this.d = (int) xFlat.shapeRef()[1];
        this.r = (int) uFlat.shapeRef()[0];
        this.w = save(w);
        this.x = needsGrad(1) ? save(xFlat) : null;
        this.u = needsGrad(2) ? save(uFlat) : null;
        this.a = save(aC);
        this.b = save(bC);
    }

    static Tensor apply(Tensor x, Tensor w, @Nullable Tensor bias, Tensor a, Tensor b, float scale) {
        GemmSpec spec = fuses(x, w, bias, a, b) ? spec(x, w) : null;
        int r = Shapes.checkedInt(a.size(0), "editedLinear r");
        if (spec == null || !Raw.be().fusesEditedA(spec, r, w.dtype(), bias != null)) {
            try (Tensor edited = LowRankEditOp.apply(x, a, b, scale)) {
                return LinearOp.apply(edited, w, bias);
            }
        }
        int d = spec.k();
        int m = spec.m();
        long rows = m;
        long out = spec.n();
        long[] outShape = x.shape();
        outShape[outShape.length - 1] = out;
        boolean keep = Recompute.keeps(Recompute.Op.LINEAR, d, out);
        Tensor[] kept = keep ? Recompute.replay(outShape) : null;
        try (Tensor xf = Raw.flatF32(x, rows, d); Tensor ac = Raw.flatF32(a, r, d); Tensor bc = Raw.flatF32(b, r, d);
             Tensor u = Raw.empty(DType.F32, new long[] {r, rows});
             Tensor biasC = bias == null ? null : Raw.contiguousAs(bias, DType.F32)) {
            LowRankEditOp.project(xf, ac, u, m, d, r);
            Tensor y = kept != null ? kept[0] : Raw.empty(DType.F32, outShape);
            if (kept == null) {
                Raw.be().gemmEditedA(spec, xf.seg(), u.seg(), bc.seg(), r, scale, w.dtype(), w.seg(),
                        biasC == null ? MemorySegment.NULL : biasC.seg(), y.seg());
                if (keep) {
                    Recompute.record(y);
                }
            }
            return Node.shouldRecord(x, a, b)
                    ? Node.record(y, new EditedLinearOp(x, a, b, w, xf, u, ac, bc, scale)) : y;
        }
    }

    /** The frozen product x·Wᵀ over x's rows: (rows × out × in), W read as stored. */
    private static GemmSpec spec(Tensor x, Tensor w) {
        int in = Shapes.checkedInt(w.size(1), "editedLinear in");
        int out = Shapes.checkedInt(w.size(0), "editedLinear out");
        int rows = Shapes.checkedInt(x.numel() / in, "editedLinear rows");
        return GemmSpec.strided(false, true, rows, out, in, 1f, 0f, in, in, out);
    }

    /**
     * Whether one node can take it (the backend then decides, {@code fusesEditedA}): x (..., in) with rows, a and b
     * (r, in) with r ≥ 1, a frozen float W (out, in) stored contiguously and unquantized, a frozen bias (out) or none.
     */
    private static boolean fuses(Tensor x, Tensor w, @Nullable Tensor bias, Tensor a, Tensor b) {
        return a.dim() == 2 && Arrays.equals(a.shapeRef(), b.shapeRef()) && a.size(0) > 0 && x.dim() >= 1
                && x.size(-1) == a.size(1) && x.numel() > 0 && w.dim() == 2 && w.size(1) == a.size(1)
                && w.size(0) > 0 && !w.requiresGrad() && w.isContiguous() && w.dtype().isFloating()
                && w.storage().quantized() == null
                && (bias == null || !bias.requiresGrad() && bias.dim() == 1 && bias.size(0) == w.size(0));
    }

    @Override
    @Nullable Tensor[] backward(Tensor g) {
        boolean[] needs = {needsGrad(0), needsGrad(1), needsGrad(2)};
        // dx' = g·W, this node's own: the edit's backward accumulates dx into it
        try (Tensor gf = g.reshape(-1, w.size(0)); Tensor dEdited = Raw.matmul(gf, w)) {
            return LowRankEditOp.gradients(dEdited, needs[0], needs, inputs()[0].shapeRef(), x, u, a, b, scale, rows,
                    d, r);
        }
    }
}
