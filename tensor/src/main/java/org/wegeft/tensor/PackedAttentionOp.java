package org.wegeft.tensor;

import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.DType;

/**
 * Attention straight from a fused q|k|v projection (as flash-attn's qkv-packed entry point): qkv (B, T, 3·H·D) →
 * merged heads (B, T, H·D). The kernel reads each head where the projection wrote it and writes its output in the
 * merged layout, so no head is copied out or back in forward; backward writes the three gradients into one
 * (B, T, 3·H·D) buffer, the fused projection's gradient, instead of placing each into zeros. Saves qkv itself, the
 * output and the per-row log-sum-exp.
 */
final class PackedAttentionOp extends Node {
    private final Tensor qkv;
    private final Tensor out;
    private final Tensor lse;
    private final int batch;
    private final int heads;
    private final int t;
    private final int d;
    private final float scale;
    private final boolean causal;

    private PackedAttentionOp(Tensor input, Tensor qkv, Tensor out, Tensor lse, int batch, int heads, int t, int d,
                              float scale, boolean causal) {
        super(new Tensor[] {input});
        this.qkv = save(qkv);
        this.out = save(out);
        this.lse = save(lse);
        this.batch = batch;
        this.heads = heads;
        this.t = t;
        this.d = d;
        this.scale = scale;
        this.causal = causal;
    }

    static Tensor apply(Tensor qkv, int heads, boolean causal, float scale) {
        if (qkv.dim() != 3 || heads <= 0 || qkv.size(2) % (3L * heads) != 0 || qkv.size(2) == 0) {
            throw new ShapeMismatchException("packed attention expects qkv (B, T, 3·H·D) with H = " + heads
                    + ", got " + qkv);
        }
        int batch = Shapes.checkedInt(qkv.size(0), "packed attention");
        int t = Shapes.checkedInt(qkv.size(1), "packed attention");
        int c = Shapes.checkedInt(qkv.size(2) / 3, "packed attention");
        int d = c / heads;
        long[] outShape = {batch, t, c};
        long[] lseShape = {(long) batch * heads, t};
        // a selective checkpoint's recomputation may hand back the output and lse its forward kept (Recompute)
        boolean keep = Recompute.keeps(Recompute.Op.ATTENTION, 0, 0);
        Tensor[] kept = keep ? Recompute.replay(outShape, lseShape) : null;
        Tensor y = kept != null ? kept[0] : Raw.empty(DType.F32, outShape);
        try (Operand in = Operand.f32(qkv);
             Tensor lse = kept != null ? kept[1] : Raw.empty(DType.F32, lseShape)) {
            if (kept == null) {
                var s = in.seg();
                Raw.be().attentionTokenMajor(s, 3 * c, s.asSlice((long) c * Float.BYTES), 3 * c,
                        s.asSlice(2L * c * Float.BYTES), 3 * c, y.seg(), c, lse.seg(), batch, heads, t, t, d, scale,
                        causal);
                if (keep) {
                    Recompute.record(y, lse);
                }
            }
            if (!Node.shouldRecord(qkv)) {
                return y;
            }
            return Node.record(y, new PackedAttentionOp(qkv, in.t(), y, lse, batch, heads, t, d, scale, causal));
        }
    }

    @Override
    @Nullable Tensor[] backward(Tensor g) {
        int c = heads * d;
        Tensor dqkv = Raw.empty(DType.F32, qkv.shapeRef());
        try (Operand go = Operand.f32(g)) {
            var s = qkv.seg();
            var ds = dqkv.seg();
            long kOff = (long) c * Float.BYTES;
            long vOff = 2L * c * Float.BYTES;
            Raw.be().attentionBackwardTokenMajor(s, 3 * c, s.asSlice(kOff), 3 * c, s.asSlice(vOff), 3 * c, out.seg(),
                    c, lse.seg(), go.seg(), ds, ds.asSlice(kOff), ds.asSlice(vOff), batch, heads, t, t, d, scale,
                    causal);
        }
        return new Tensor[] {dqkv};
    }
}
