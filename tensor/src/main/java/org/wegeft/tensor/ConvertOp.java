package org.wegeft.tensor;

import org.wegeft.kernels.DType;

/** dtype conversion; differentiable (identity gradient) when the result is F32. */
final class ConvertOp {
    private ConvertOp() {
    }

    static Tensor apply(Tensor x, DType to) {
        Tensor out = x.dtype() == to ? x.viewOf(x.storageOffset(), x.shapeRef(), x.stridesRef())
                : Raw.contiguousAs(x, to);
        return to == DType.F32 && Node.shouldRecord(x) ? Node.record(out, new ViewOps.Identity(x)) : out;
    }
}
