package org.wegeft.tensor;

import java.util.Arrays;
import org.wegeft.kernels.Backends;
import org.wegeft.kernels.ReduceOp;

/** sum / mean over a set of dims (keepdim or not); backward broadcasts the gradient back (÷ count for mean). */
final class ReduceSumOp extends Node {
    private final long[] inShape;
    private final long[] keepShape;
    private final float scale;

    private ReduceSumOp(Tensor x, long[] keepShape, float scale) {
        super(x);
        this.inShape = x.shape();
        this.keepShape = keepShape;
        this.scale = scale;
    }

    static Tensor apply(Tensor x, int[] dims, boolean keepdim, boolean mean) {
        int r = x.dim();
        boolean[] reduce = new boolean[r];
        if (dims.length == 0) {
            Arrays.fill(reduce, true);
        }
        for (int d : dims) {
            reduce[Shapes.dim(d, r, mean ? "mean" : "sum")] = true;
        }
        long[] keepShape = x.shape();
        long count = 1;
        int kept = 0;
        for (int i = 0; i < r; i++) {
            if (reduce[i]) {
                count *= keepShape[i];
                keepShape[i] = 1;
            } else {
                kept++;
            }
        }
        long[] outShape = new long[kept];
        for (int i = 0, j = 0; i < r; i++) {
            if (!reduce[i]) {
                outShape[j++] = keepShape[i];
            }
        }
        Tensor cur = x.viewOf(x.storageOffset(), x.shapeRef(), x.stridesRef());
        for (int d = r - 1; d >= 0; d--) {
            if (reduce[d]) {
                Tensor next = Raw.reduce(ReduceOp.SUM, cur, d, true);
                cur.close();
                cur = next;
            }
        }
        if (!cur.isContiguous() || cur.dtype() != org.wegeft.kernels.DType.F32) {
            Tensor c = Raw.contiguousAs(cur, org.wegeft.kernels.DType.F32);
            cur.close();
            cur = c;
        }
        float scale = mean ? 1f / count : 1f;
        if (mean) {
            Backends.current().affine(cur.seg(), cur.seg(), cur.numel(), scale, 0f);
        }
        long[] finalShape = keepdim ? keepShape : outShape;
        Tensor out = cur.viewOf(0, finalShape, Shapes.contiguousStrides(finalShape));
        cur.close();
        return Node.shouldRecord(x) ? Node.record(out, new ReduceSumOp(x, keepShape, scale)) : out;
    }

    @Override
    Tensor[] backward(Tensor g) {
        try (Tensor gk = g.reshape(keepShape)) {
            Tensor dx = Raw.expandTo(gk, inShape);
            if (scale != 1f) {
                Backends.current().affine(dx.seg(), dx.seg(), dx.numel(), scale, 0f);
            }
            return new Tensor[] {dx};
        }
    }
}
