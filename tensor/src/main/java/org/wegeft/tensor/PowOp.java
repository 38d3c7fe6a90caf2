package org.wegeft.tensor;

import org.wegeft.kernels.BinaryOp;

/** y = x^p for a scalar exponent; dx = dy·p·x^(p−1). */
final class PowOp extends Node {
    private final float p;
    private final Tensor x;

    private PowOp(Tensor x, float p) {
        super(x);
        this.p = p;
        this.x = save(x);
    }

    static Tensor apply(Tensor x, float p) {
        Tensor out;
        try (Tensor e = Raw.full(new long[0], p)) { // filled by a kernel: no host copy
            out = Raw.binary(BinaryOp.POW, x, e);
        }
        return Node.shouldRecord(x) ? Node.record(out, new PowOp(x, p)) : out;
    }

    @Override
    Tensor[] backward(Tensor g) {
        try (Tensor e = Raw.full(new long[0], p - 1f);
             Tensor xp = Raw.binary(BinaryOp.POW, x, e);
             Tensor gx = Raw.binary(BinaryOp.MUL, g, xp)) {
            return new Tensor[] {Raw.affine(gx, p, 0f)};
        }
    }
}
