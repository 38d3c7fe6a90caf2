package org.wegeft.tensor;

import org.wegeft.kernels.DType;

/**
 * Softmax over the last dim (optionally causal over the last two dims, as the attention mask):
 * y = softmax(x); dx = y ⊙ (dy − Σ_row dy ⊙ y).
 */
final class SoftmaxOp extends Node {
    private final Tensor y;
    private final int rows;
    private final int cols;

    private SoftmaxOp(Tensor x, Tensor y, int rows, int cols) {
        super(x);
        this.y = save(y);
        this.rows = rows;
        this.cols = cols;
    }

    static Tensor apply(Tensor x, boolean causal) {
        // x: (..., [Tq,] C)
        if (x.dim() < (causal ? 2 : 1)) {
            throw new ShapeMismatchException("softmax needs " + (causal ? "2" : "1") + "+ dims, got " + x);
        }
        int cols = Shapes.checkedInt(x.size(-1), "softmax");
        int rows = Shapes.checkedInt(cols == 0 ? 0 : x.numel() / cols, "softmax");
        int tq = causal ? Shapes.checkedInt(x.size(-2), "softmax") : 1;
        Tensor y = Raw.empty(DType.F32, x.shapeRef());
        try (Operand xo = Operand.f32(x)) {
            Raw.be().softmax(xo.seg(), y.seg(), rows, cols, causal, tq);
        }
        return Node.shouldRecord(x) ? Node.record(y, new SoftmaxOp(x, y, rows, cols)) : y;
    }

    @Override
    Tensor[] backward(Tensor g) {
        Tensor dx = Raw.empty(DType.F32, y.shapeRef());
        try (Operand go = Operand.f32(g)) {
            Raw.be().softmaxBackward(y.seg(), go.seg(), dx.seg(), rows, cols);
        }
        return new Tensor[] {dx};
    }
}
