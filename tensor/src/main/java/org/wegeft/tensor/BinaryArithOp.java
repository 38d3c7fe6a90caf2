package org.wegeft.tensor;

import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.BinaryOp;

/** add, sub, mul, div with broadcasting; backward reduces each gradient over the dims its operand was broadcast on. */
final class BinaryArithOp extends Node {
    private final BinaryOp op;
    private final long[] aShape;
    private final long[] bShape;
    private final @Nullable Tensor a;
    private final @Nullable Tensor b;

    private BinaryArithOp(BinaryOp op, Tensor a, Tensor b) {
        super(a, b);
        this.op = op;
        this.aShape = a.shape();
        this.bShape = b.shape();
        boolean keepA = op == BinaryOp.MUL && needsGrad(1) || op == BinaryOp.DIV && needsGrad(1);
        boolean keepB = op == BinaryOp.MUL && needsGrad(0) || op == BinaryOp.DIV;
        this.a = keepA ? save(a) : null;
        this.b = keepB ? save(b) : null;
    }

    static Tensor apply(BinaryOp op, Tensor a, Tensor b) {
        if (op != BinaryOp.ADD && op != BinaryOp.SUB && op != BinaryOp.MUL && op != BinaryOp.DIV) {
            throw new IllegalArgumentException("no autograd rule for " + op);
        }
        Tensor out = Raw.binary(op, a, b);
        return Node.shouldRecord(a, b) ? Node.record(out, new BinaryArithOp(op, a, b)) : out;
    }

    @Override
    @Nullable Tensor[] backward(Tensor g) {
        Tensor ga = null;
        Tensor gb = null;
        switch (op) {
            case ADD -> {
                ga = needsGrad(0) ? Raw.sumToShape(g, aShape) : null;
                gb = needsGrad(1) ? Raw.sumToShape(g, bShape) : null;
            }
            case SUB -> {
                ga = needsGrad(0) ? Raw.sumToShape(g, aShape) : null;
                if (needsGrad(1)) {
                    try (Tensor s = Raw.sumToShape(g, bShape)) {
                        gb = Raw.affine(s, -1f, 0f);
                    }
                }
            }
            case MUL -> {
                if (needsGrad(0)) {
                    try (Tensor t = Raw.binary(BinaryOp.MUL, g, b)) {
                        ga = Raw.sumToShape(t, aShape);
                    }
                }
                if (needsGrad(1)) {
                    try (Tensor t = Raw.binary(BinaryOp.MUL, g, a)) {
                        gb = Raw.sumToShape(t, bShape);
                    }
                }
            }
            case DIV -> {
                // d(a/b)/da = 1/b ; d(a/b)/db = -a/b²
                try (Tensor t = Raw.binary(BinaryOp.DIV, g, b)) {
                    ga = needsGrad(0) ? Raw.sumToShape(t, aShape) : null;
                    if (needsGrad(1)) {
                        try (Tensor ta = Raw.binary(BinaryOp.MUL, t, a);
                             Tensor tab = Raw.binary(BinaryOp.DIV, ta, b);
                             Tensor s = Raw.sumToShape(tab, bShape)) {
                            gb = Raw.affine(s, -1f, 0f);
                        }
                    }
                }
            }
            default -> throw new IllegalStateException(op.name());
        }
        return new Tensor[] {ga, gb};
    }

    @Override
    String name() {
        return "BinaryArith(" + op + ")";
    }
}
