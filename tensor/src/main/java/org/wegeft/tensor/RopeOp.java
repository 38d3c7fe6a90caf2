package org.wegeft.tensor;

import org.wegeft.kernels.DType;

/**
 * Rotary position embedding, Hugging Face half-split layout, on x (..., T, D) with cos/sin (T, D/2) (or
 * HF's duplicated (T, D), whose first half is used). The backward is the inverse rotation.
 */
final class RopeOp extends Node {
    private final Tensor cos;
    private final Tensor sin;
    private final int n;
    private final int t;
    private final int d;

    private RopeOp(Tensor x, Tensor cos, Tensor sin, int n, int t, int d) {
        super(x);
        this.cos = save(cos);
        this.sin = save(sin);
        this.n = n;
        this.t = t;
        this.d = d;
    }

    static Tensor apply(Tensor x, Tensor cos, Tensor sin) {
        if (x.dim() < 2 || x.size(-1) % 2 != 0) {
            throw new ShapeMismatchException("rope expects x (..., T, D) with even D, got " + x);
        }
        int d = Shapes.checkedInt(x.size(-1), "rope");
        int t = Shapes.checkedInt(x.size(-2), "rope");
        int n = Shapes.checkedInt(x.numel() / Math.max(1, (long) t * d), "rope");
        try (Tensor c = half(cos, t, d, "cos"); Tensor s = half(sin, t, d, "sin");
             Operand xo = Operand.f32(x)) {
            Tensor y = Raw.empty(DType.F32, x.shapeRef());
            Raw.be().rope(xo.seg(), y.seg(), c.seg(), s.seg(), n, t, d, false);
            return Node.shouldRecord(x) ? Node.record(y, new RopeOp(x, c, s, n, t, d)) : y;
        }
    }

    /** cos/sin as a contiguous F32 (T, D/2). */
    private static Tensor half(Tensor cs, int t, int d, String name) {
        if (cs.dim() != 2 || cs.size(0) != t || (cs.size(1) != d / 2 && cs.size(1) != d)) {
            throw new ShapeMismatchException("rope " + name + " must be (" + t + ", " + d / 2 + ") or (" + t + ", " + d
                    + "), got " + cs);
        }
        try (Tensor h = cs.size(1) == d ? cs.viewOf(cs.storageOffset(), new long[] {t, d / 2}, cs.stridesRef())
                : cs.viewOf(cs.storageOffset(), cs.shapeRef(), cs.stridesRef())) {
            return Raw.contiguousAs(h, DType.F32);
        }
    }

    @Override
    Tensor[] backward(Tensor g) {
        Tensor dx = Raw.empty(DType.F32, g.shapeRef());
        try (Operand go = Operand.f32(g)) {
            Raw.be().rope(go.seg(), dx.seg(), cos.seg(), sin.seg(), n, t, d, true);
        }
        return new Tensor[] {dx};
    }
}
