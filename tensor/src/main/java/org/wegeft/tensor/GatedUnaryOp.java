package org.wegeft.tensor;

import java.util.Arrays;

import org.wegeft.kernels.BinaryOp;
import org.wegeft.kernels.UnaryOp;

/**
 * y = f(a) · b elementwise (a and b of one shape): the gate of a gated feed-forward layer, SwiGLU's
 * {@code silu(gate) · up}. As one node it saves a and b only; the composition f(a) then · b also keeps f(a), a third
 * intermediate-sized tensor per layer (a LLaMA MLP's largest activations). Backward recomputes f(a) for db:
 * <pre>
 *   db = g · f(a)        da = f'(a) · (g · b)
 * </pre>
 * with the same kernels, in the same order, as the composition's backward, so the results are the same bits.
 */
final class GatedUnaryOp extends Node {
    private final UnaryOp op;
    private final Tensor a;
    private final Tensor b;

    private GatedUnaryOp(UnaryOp op, Tensor a, Tensor b) {
        super(a, b);
        this.op = op;
        this.a = save(a);
        this.b = save(b);
    }

    static Tensor apply(UnaryOp op, Tensor a, Tensor b) {
        if (!Arrays.equals(a.shapeRef(), b.shapeRef())) {
            throw new ShapeMismatchException("gated " + op + ": a " + a + " and b " + b + " must have one shape");
        }
        // f(a), then · b in the same buffer
        Tensor y = Raw.unary(op, a);
        Raw.binaryInto(BinaryOp.MUL, y, b);
        if (!Node.shouldRecord(a, b)) {
            return y;
        }
        Node.record(y, new GatedUnaryOp(op, a, b));
        if (Refills.wanted(y) && Refills.direct(a) && Refills.direct(b)) {
            y.storage().recomputeOnDemand(new Refills.Gated(op, a.savedAlias(), b.savedAlias()));
        }
        return y;
    }

    @Override
    Tensor[] backward(Tensor g) {
        Tensor[] grads = new Tensor[2];
        if (needsGrad(0)) {
            try (Tensor gb = Raw.binary(BinaryOp.MUL, g, b)) {
                grads[0] = Raw.unaryBackwardReusing(op, a, gb);   // over gb, this node's own product
            }
        }
        if (needsGrad(1)) {
            Tensor fa = Raw.unary(op, a);
            Raw.binaryInto(BinaryOp.MUL, fa, g);   // fa · g: the same products as g · fa
            grads[1] = fa;
        }
        return grads;
    }

    @Override
    String name() {
        return "GatedUnary(" + op + ")";
    }
}
