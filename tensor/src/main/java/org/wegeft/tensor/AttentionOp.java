package org.wegeft.tensor;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.DType;

/**
 * Fused scaled dot-product attention: q (..., Tq, D), k and v (..., Tk, D) with equal leading dims
 * (heads already repeated for GQA); out = softmax(q·kᵀ·scale [causal]) · v. Keeps the per-row
 * log-sum-exp for backward, which recomputes the probabilities instead of storing them.
 */
final class AttentionOp extends Node {
    private final Tensor q;
    private final Tensor k;
    private final Tensor v;
    private final Tensor out;
    private final Tensor lse;
    private final int bh;
    private final int tq;
    private final int tk;
    private final int d;
    private final float scale;
    private final boolean causal;

    private AttentionOp(Tensor[] inputs, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, int bh, int tq, int tk,
                        int d, float scale, boolean causal) {
        super(inputs);
        this.q = save(q);
        this.k = save(k);
        this.v = save(v);
        this.out = save(out);
        this.lse = save(lse);
        this.bh = bh;
        this.tq = tq;
        this.tk = tk;
        this.d = d;
        this.scale = scale;
        this.causal = causal;
    }

    static Tensor apply(Tensor q, Tensor k, Tensor v, boolean causal, float scale) {
        int r = q.dim();
        if (r < 3 || k.dim() != r || v.dim() != r
                || !Arrays.equals(Arrays.copyOf(q.shapeRef(), r - 2), Arrays.copyOf(k.shapeRef(), r - 2))
                || !Arrays.equals(k.shapeRef(), v.shapeRef()) || q.size(-1) != k.size(-1)) {
            throw new ShapeMismatchException("attention expects q (..., Tq, D), k and v (..., Tk, D), got q " + q
                    + ", k " + k + ", v " + v);
        }
        int d = Shapes.checkedInt(q.size(-1), "attention");
        int tq = Shapes.checkedInt(q.size(-2), "attention");
        int tk = Shapes.checkedInt(k.size(-2), "attention");
        int bh = Shapes.checkedInt(Shapes.prod(q.shapeRef(), 0, r - 2), "attention");
        // a selective checkpoint's recomputation may hand back the output and lse its forward kept (Recompute)
        boolean keep = Recompute.keeps(Recompute.Op.ATTENTION, 0, 0);
        Tensor[] kept = keep ? Recompute.replay(q.shapeRef(), new long[] {bh, tq}) : null;
        Tensor y = kept != null ? kept[0] : Raw.empty(DType.F32, q.shapeRef());
        try (Operand qo = Operand.f32(q); Operand ko = Operand.f32(k); Operand vo = Operand.f32(v);
             Tensor lse = kept != null ? kept[1] : Raw.empty(DType.F32, new long[] {bh, tq})) {
            if (kept == null) {
                Raw.be().attention(qo.seg(), ko.seg(), vo.seg(), y.seg(), lse.seg(), bh, tq, tk, d, scale, causal);
                if (keep) {
                    Recompute.record(y, lse);
                }
            }
            if (!Node.shouldRecord(q, k, v)) {
                return y;
            }
            return Node.record(y, new AttentionOp(new Tensor[] {q, k, v}, qo.t(), ko.t(), vo.t(), y, lse, bh, tq, tk,
                    d, scale, causal));
        }
    }

    @Override
    @Nullable Tensor[] backward(Tensor g) {
        Tensor dq = Raw.empty(DType.F32, q.shapeRef());
        Tensor dk = Raw.empty(DType.F32, k.shapeRef());
        Tensor dv = Raw.empty(DType.F32, v.shapeRef());
        try (Operand go = Operand.f32(g)) {
            Raw.be().attentionBackward(q.seg(), k.seg(), v.seg(), out.seg(), lse.seg(), go.seg(), dq.seg(), dk.seg(),
                    dv.seg(), bh, tq, tk, d, scale, causal);
        }
        return new Tensor[] {dq, dk, dv};
    }
}
