package org.wegeft.tensor;

import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.GemmSpec;

/**
 * y = x + scale·(x aᵀ) b with x (..., d) and a, b (r, d): a rank-r edit of the last dimension in one node, as
 * WeGeFT's representation form needs it ({@code x + s·(x psiᵀ) phi}). The composition of linear, matmul, mul and
 * add it replaces passes over the (rows × d) activations seven times forward and about nine times backward; here
 * forward is u = a xᵀ and y = x + scale·uᵀ b (two GEMMs with a skinny dimension r, x added in the second's store:
 * {@code gemmAddend}), backward is
 * <pre>
 *   du = scale·b gᵀ      db = scale·u g      da = du x      dx = g + duᵀ a   (into g itself when the engine
 *                                                                             hands over an exclusive g)
 * </pre>
 * u and du are (r × rows): a skinny product with r rows rather than r columns fills the blocked GEMM's
 * micro-tiles, which span two vectors of columns.
 * Saved for backward: x (when a needs a gradient), u (when b does), a and b: one (rows × d) activation and one
 * (r × rows), what a LoRA layer keeps. Computing u again from x in backward instead would save the small one at the
 * cost of another pass over the large one.
 */
final class LowRankEditOp extends Node {
    private final float scale;
    private final long rows;
    private final int d;
    private final int r;
    private final @Nullable Tensor x;
    private final @Nullable Tensor u;
    private final Tensor a;
    private final Tensor b;

    private LowRankEditOp(Tensor xIn, Tensor aIn, Tensor bIn, Tensor xFlat, Tensor uFlat, Tensor aC, Tensor bC,
                          float scale) {
        super(xIn, aIn, bIn);
        this.scale = scale;
        this.rows = xFlat.shapeRef()[0];
        this.d = (int) xFlat.shapeRef()[1];
        this.r = (int) uFlat.shapeRef()[0];
        this.x = needsGrad(1) ? save(xFlat) : null;
        this.u = needsGrad(2) ? save(uFlat) : null;
        this.a = save(aC);
        this.b = save(bC);
    }

    static Tensor apply(Tensor x, Tensor a, Tensor b, float scale) {
        if (a.dim() != 2 || b.dim() != 2 || !java.util.Arrays.equals(a.shapeRef(), b.shapeRef()) || x.dim() < 1
                || x.size(-1) != a.size(1)) {
            throw new ShapeMismatchException("lowRankEdit: x " + x + ", a " + a + " and b " + b
                    + " do not fit (expected x (..., d), a and b (r, d))");
        }
        int d = Shapes.checkedInt(a.size(1), "lowRankEdit d");
        int r = Shapes.checkedInt(a.size(0), "lowRankEdit r");
        long rows = d == 0 ? 0 : x.numel() / d;
        try (Tensor xf = Raw.flatF32(x, rows, d); Tensor ac = Raw.flatF32(a, r, d); Tensor bc = Raw.flatF32(b, r, d);
             Tensor u = Raw.empty(DType.F32, new long[] {r, rows})) {
            Tensor y = Raw.empty(DType.F32, x.shapeRef());
            if (rows > 0 && d > 0) {
                int m = Shapes.checkedInt(rows, "lowRankEdit rows");
                project(xf, ac, u, m, d, r);
                // y = x + scale · uᵀ b (x read in the GEMM's store where the backend can: no copy of x first)
                Raw.be().gemmAddend(GemmSpec.strided(true, false, m, d, r, scale, 0f, m, d, d),
                        u.seg(), bc.seg(), xf.seg(), y.seg());
            }
            return Node.shouldRecord(x, a, b)
                    ? Node.record(y, new LowRankEditOp(x, a, b, xf, u, ac, bc, scale)) : y;
        }
    }

    @Override
    @Nullable Tensor[] backward(Tensor g) {
        boolean[] needs = {needsGrad(0), needsGrad(1), needsGrad(2)};
        boolean inPlace = needs[0] && g.isExclusive();
        return gradients(g, inPlace, needs, inputs()[0].shapeRef(), x, u, a, b, scale, rows, d, r);
    }

    /**
     * The edit's gradients (for x, a, b; null where {@code needs} is false) from the output gradient g: dx is
     * accumulated into g itself when {@code inPlace} (g contiguous and held by the caller alone; a view of it is
     * returned), into a copy otherwise. x is needed for a's gradient, u for b's.
     */
    static @Nullable Tensor[] gradients(Tensor g, boolean inPlace, boolean[] needs, long[] xShape, @Nullable Tensor x,
                                        @Nullable Tensor u, Tensor a, Tensor b, float scale, long rows, int d, int r) {
        Tensor[] grads = new Tensor[3];
        if (rows == 0 || d == 0) {
            grads[0] = needs[0] ? Raw.full(xShape, 0f) : null;
            grads[1] = needs[1] ? Raw.full(a.shape(), 0f) : null;
            grads[2] = needs[2] ? Raw.full(b.shape(), 0f) : null;
            return grads;
        }
        int m = Shapes.checkedInt(rows, "lowRankEdit rows");
        try (Tensor gf = inPlace ? g.viewOf(0, new long[] {rows, d}, new long[] {d, 1}) : Raw.flatF32(g, rows, d);
             Tensor du = Raw.empty(DType.F32, new long[] {r, rows})) {
            if (needs[0] || needs[1]) {
                // du = scale · b gᵀ (r × rows)
                Raw.be().gemm(GemmSpec.strided(false, true, r, m, d, scale, 0f, d, d, m),
                        b.seg(), gf.seg(), du.seg());
            }
            if (needs[2]) {
                // db = scale · u g (r × d)
                Tensor db = Raw.empty(DType.F32, new long[] {r, d});
                Raw.be().gemm(GemmSpec.strided(false, false, r, d, m, scale, 0f, m, d, d),
                        java.util.Objects.requireNonNull(u, "u").seg(), gf.seg(), db.seg());
                grads[2] = db;
            }
            if (needs[1]) {
                // da = du x (r × d)
                Tensor da = Raw.empty(DType.F32, new long[] {r, d});
                Raw.be().gemm(GemmSpec.strided(false, false, r, d, m, 1f, 0f, m, d, d),
                        du.seg(), java.util.Objects.requireNonNull(x, "x").seg(), da.seg());
                grads[1] = da;
            }
            if (needs[0]) {
                // dx = g + duᵀ a, accumulated into g itself (or a copy of it)
                Tensor dx = inPlace ? g.viewOf(0, xShape.clone(), Shapes.contiguousStrides(xShape))
                        : Raw.contiguousAs(gf, DType.F32);
                Raw.be().gemm(GemmSpec.strided(true, false, m, d, r, 1f, 1f, m, d, d),
                        du.seg(), a.seg(), dx.seg());
                grads[0] = inPlace ? dx : reshaped(dx, xShape);
            }
        }
        return grads;
    }

    /** u = a xᵀ (r × rows). */
    static void project(Tensor x, Tensor a, Tensor u, int m, int d, int r) {
        Raw.be().gemm(GemmSpec.strided(false, true, r, m, d, 1f, 0f, d, d, m), a.seg(), x.seg(), u.seg());
    }

    private static Tensor reshaped(Tensor t, long[] shape) {
        try (t) {
            return t.viewOf(0, shape.clone(), Shapes.contiguousStrides(shape));
        }
    }
}
