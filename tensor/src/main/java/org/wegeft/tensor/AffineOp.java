package org.wegeft.tensor;

/** y = x·scale + shift (scalar add/sub/mul/div); dx = dy·scale. */
final class AffineOp extends Node {
    private final float scale;

    private AffineOp(Tensor x, float scale) {
        super(x);
        this.scale = scale;
    }

    static Tensor apply(Tensor x, float scale, float shift) {
        Tensor out = Raw.affine(x, scale, shift);
        return Node.shouldRecord(x) ? Node.record(out, new AffineOp(x, scale)) : out;
    }

    @Override
    Tensor[] backward(Tensor g) {
        return new Tensor[] {Raw.affine(g, scale, 0f)};
    }
}
