package org.wegeft.tensor;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.DType;

/** Concatenation along one dim; backward hands each input its slice of the gradient. */
final class CatOp extends Node {
    private final int dim;
    private final long[] starts;

    private CatOp(Tensor[] parts, int dim, long[] starts) {
        super(parts);
        this.dim = dim;
        this.starts = starts;
    }

    static Tensor apply(List<Tensor> list, int dim) {
        if (list.isEmpty()) {
            throw new IllegalArgumentException("cat of no tensors");
        }
        Tensor[] parts = list.toArray(new Tensor[0]);
        Tensor first = parts[0];
        int d = Shapes.dim(dim, first.dim(), "cat");
        long[] outShape = first.shape();
        long[] starts = new long[parts.length];
        long at = 0;
        DType dtype = first.dtype() == DType.I32 ? DType.I32 : DType.F32;
        for (int i = 0; i < parts.length; i++) {
            Tensor p = parts[i];
            if (p.dim() != first.dim() || (p.dtype() == DType.I32) != (dtype == DType.I32)) {
                throw new ShapeMismatchException("cat: part " + i + " " + p + " does not match part 0 " + first);
            }
            for (int j = 0; j < p.dim(); j++) {
                if (j != d && p.size(j) != outShape[j]) {
                    throw new ShapeMismatchException("cat along dim " + d + ": part " + i + " " + p
                            + " does not match part 0 " + first);
                }
            }
            starts[i] = at;
            at += p.size(d);
        }
        outShape[d] = at;
        Tensor out = Raw.place(outShape, d, starts, parts, dtype);
        return Node.shouldRecord(parts) ? Node.record(out, new CatOp(parts, d, starts)) : out;
    }

    @Override
    @Nullable Tensor[] backward(Tensor g) {
        Tensor[] in = inputs();
        Tensor[] grads = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) {
            if (needsGrad(i)) {
                try (Tensor slice = g.narrow(dim, starts[i], in[i].size(dim))) {
                    grads[i] = Raw.contiguousAs(slice, DType.F32);
                }
            }
        }
        return grads;
    }
}
