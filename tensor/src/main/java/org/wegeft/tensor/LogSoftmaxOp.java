package org.wegeft.tensor;

import org.wegeft.kernels.BinaryOp;
import org.wegeft.kernels.ReduceOp;
import org.wegeft.kernels.UnaryOp;

/**
 * Log-softmax over the last dim, computed stably: y = (x − max) − log Σ exp(x − max);
 * dx = dy − exp(y) · Σ_row dy.
 */
final class LogSoftmaxOp extends Node {
    private final Tensor y;

    private LogSoftmaxOp(Tensor x, Tensor y) {
        super(x);
        this.y = save(y);
    }

    static Tensor apply(Tensor x) {
        // x: (..., C)
        if (x.dim() < 1) {
            throw new ShapeMismatchException("logSoftmax needs 1+ dims, got " + x);
        }
        int last = x.dim() - 1;
        Tensor y;
        try (Tensor m = Raw.reduce(ReduceOp.MAX, x, last, true);
             Tensor shifted = Raw.binary(BinaryOp.SUB, x, m);
             Tensor e = Raw.unary(UnaryOp.EXP, shifted);
             Tensor s = Raw.reduce(ReduceOp.SUM, e, last, true);
             Tensor ls = Raw.unary(UnaryOp.LOG, s)) {
            y = Raw.binary(BinaryOp.SUB, shifted, ls);
        }
        return Node.shouldRecord(x) ? Node.record(y, new LogSoftmaxOp(x, y)) : y;
    }

    @Override
    Tensor[] backward(Tensor g) {
        int last = y.dim() - 1;
        try (Tensor p = Raw.unary(UnaryOp.EXP, y);
             Tensor gs = Raw.reduce(ReduceOp.SUM, g, last, true);
             Tensor pg = Raw.binary(BinaryOp.MUL, p, gs)) {
            return new Tensor[] {Raw.binary(BinaryOp.SUB, g, pg)};
        }
    }
}
