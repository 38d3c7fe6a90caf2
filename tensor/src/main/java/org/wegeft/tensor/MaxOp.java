package org.wegeft.tensor;

import org.wegeft.kernels.BinaryOp;
import org.wegeft.kernels.ReduceOp;
import org.wegeft.kernels.UnaryOp;

/** Maximum over one dim; backward sends the gradient to every position equal to the maximum. */
final class MaxOp extends Node {
    private final Tensor x;
    private final Tensor max;
    private final long[] keepShape;

    private MaxOp(Tensor x, Tensor maxKeep) {
        super(x);
        this.x = save(x);
        this.max = save(maxKeep);
        this.keepShape = maxKeep.shape();
    }

    static Tensor apply(Tensor x, int dim, boolean keepdim) {
        int d = Shapes.dim(dim, x.dim(), "max");
        Tensor m = Raw.reduce(ReduceOp.MAX, x, d, true);
        Tensor out = keepdim ? m : m.viewOf(0, Raw.reducedShape(x.shapeRef(), d, false),
                Shapes.contiguousStrides(Raw.reducedShape(x.shapeRef(), d, false)));
        Node node = Node.shouldRecord(x) ? new MaxOp(x, m) : null;
        if (!keepdim) {
            m.close();
        }
        return node != null ? Node.record(out, node) : out;
    }

    @Override
    Tensor[] backward(Tensor g) {
        // gap = max − x ≥ 0, zero exactly at the maxima; relu'(gap)·g keeps g where gap > 0
        try (Tensor gk = g.reshape(keepShape);
             Tensor ge = Raw.expandTo(gk, x.shapeRef());
             Tensor gap = Raw.binary(BinaryOp.SUB, max, x);
             Tensor notMax = Raw.unaryBackward(UnaryOp.RELU, gap, ge)) {
            return new Tensor[] {Raw.binary(BinaryOp.SUB, ge, notMax)};
        }
    }
}
