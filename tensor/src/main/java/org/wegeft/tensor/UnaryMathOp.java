package org.wegeft.tensor;

import org.wegeft.kernels.UnaryOp;

/** Elementwise functions (exp, log, tanh, gelu, silu, …): y = f(x); dx = dy·f'(x) by the backend's derivative. */
final class UnaryMathOp extends Node {
    private final UnaryOp op;
    private final Tensor x;

    private UnaryMathOp(UnaryOp op, Tensor x) {
        super(x);
        this.op = op;
        this.x = save(x);
    }

    static Tensor apply(UnaryOp op, Tensor x) {
        Tensor out = Raw.unary(op, x);
        if (!Node.shouldRecord(x)) {
            return out;
        }
        Node.record(out, new UnaryMathOp(op, x));
        if (Refills.wanted(out) && Refills.direct(x)) {
            out.storage().recomputeOnDemand(new Refills.Unary(op, x.savedAlias(), out.numel()));
        }
        return out;
    }

    @Override
    Tensor[] backward(Tensor g) {
        // over g when the engine alone holds it: an activation-sized buffer less, and none to fill
        return new Tensor[] {Raw.unaryBackwardReusing(op, x, g)};
    }

    @Override
    String name() {
        return "UnaryMath(" + op + ")";
    }
}
