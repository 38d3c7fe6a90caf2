package org.wegeft.tensor;

import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.BinaryOp;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.GemmSpec;
import org.wegeft.kernels.ReduceOp;
import org.wegeft.kernels.WeightDropout;

/**
 * y = x·Wᵀ + b + scale·(x psiᵀ)(phi·drop(W)ᵀ) with x (..., in), a frozen W (out, in), phi and psi (r, in): a linear
 * layer plus a rank-r update generated from its own weight (WeGeFT's generator form) in one node. The layer's
 * product and the generator's read W in the same orientation, so each pair runs as one product over the stacked
 * rows, the generator's rows against drop(W) ({@link WeightDropout#firstRow}): one pass over W where two separate
 * products take two, and no (rows × out) temporaries for the update, which is added into y by its GEMM. With dropout
 * the stacked rows stay in their own buffers (x and phi, g and dG), each packed from where it is
 * ({@code KernelBackend.gemmWeightStacked}), not copied into one.
 * <pre>
 *   forward    [y; G] = [x; phi]·Wᵀ    (G = phi·drop(W)ᵀ, r × out)     u = x psiᵀ     y += b;  y += scale·u G
 *   backward   dG = scale·uᵀ g          du = scale·g Gᵀ
 *              [dx; dphi] = [g; dG]·W   (the rows of dG against drop(W))
 *              dx += du psi             dpsi = duᵀ x                  db = Σ_rows g
 * </pre>
 * The mask comes from the dropout's key in both passes and is never stored. Saved for backward: W, x (when psi needs
 * a gradient), u (when phi does), G and psi.
 */
final class GeneratedLinearOp extends Node {
    private final float scale;
    private final int rows;
    private final int in;
    private final int out;
    private final int r;
    private final @Nullable WeightDropout dropout;
    private final Tensor w;
    private final @Nullable Tensor x;
    private final @Nullable Tensor u;
    private final Tensor g;
    private final Tensor psi;

    private GeneratedLinearOp(Tensor[] inputs, Tensor w, Tensor xFlat, Tensor uFlat, Tensor gen, Tensor psiC,
                              float scale, @Nullable WeightDropout dropout) {
        super(inputs);
        this.scale = scale;
        this.rows = (int) xFlat.shapeRef()[0];
        this.in = (int) xFlat.shapeRef()[1];
        this.out = (int) gen.shapeRef()[1];
        this.r = (int) gen.shapeRef()[0];
        this.dropout = dropout;
        this.w = save(w);
        this.x = needsGrad(3) ? save(xFlat) : null;
        this.u = needsGrad(2) ? save(uFlat) : null;
        this.g = save(gen);
        this.psi = save(psiC);
    }

    static Tensor apply(Tensor x, Tensor w, @Nullable Tensor bias, Tensor phi, Tensor psi, float scale,
                        @Nullable WeightDropout dropout) {
        if (w.requiresGrad()) {
            throw new IllegalArgumentException("generatedLinear: the weight must be frozen, got a trainable " + w);
        }
        if (w.dim() != 2 || x.dim() < 1 || x.size(-1) != w.size(1) || phi.dim() != 2
                || !java.util.Arrays.equals(phi.shapeRef(), psi.shapeRef()) || phi.size(1) != w.size(1)) {
            throw new ShapeMismatchException("generatedLinear: x " + x + ", weight " + w + ", phi " + phi + " and psi "
                    + psi + " do not fit (expected x (..., in), weight (out, in), phi and psi (r, in))");
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != w.size(0))) {
            throw new ShapeMismatchException("generatedLinear: bias " + bias + " does not match weight " + w);
        }
        int in = Shapes.checkedInt(w.size(1), "generatedLinear in");
        int out = Shapes.checkedInt(w.size(0), "generatedLinear out");
        int r = Shapes.checkedInt(phi.size(0), "generatedLinear r");
        int rows = Shapes.checkedInt(in == 0 ? 0 : x.numel() / in, "generatedLinear rows");
        long[] yShape = x.shape();
        yShape[yShape.length - 1] = out;
        try (Tensor both = Raw.empty(DType.F32, new long[] {(long) rows + r, out});
             Tensor xf = Raw.flatF32(x, rows, in); Tensor psiC = Raw.flatF32(psi, r, in);
             Tensor phiC = Raw.flatF32(phi, r, in);
             Tensor wt = Raw.transposedWeight(w);
             Tensor genRows = both.viewOf((long) rows * out, new long[] {r, out}, new long[] {out, 1});
             Tensor uf = Raw.empty(DType.F32, new long[] {rows, r})) {
            // [y; G] = [x; phi]·Wᵀ, the rows of phi against drop(W)
            Raw.gemmStackedInto(xf, phiC, wt, both, dropout == null ? null : dropout.fromRow(rows));
            // G, saved for backward, gets its own copy (r rows), so that y's storage goes when y does
            try (Tensor gen = Raw.contiguousAs(genRows, DType.F32)) {
                Tensor y = both.viewOf(0, yShape, Shapes.contiguousStrides(yShape));
                if (bias != null) {
                    Raw.binaryInto(BinaryOp.ADD, y, bias);
                }
                if (rows > 0 && r > 0 && in > 0) {
                    // u = x psiᵀ (rows × r), then y += scale · u G
                    Raw.be().gemm(GemmSpec.strided(false, true, rows, r, in, 1f, 0f, in, in, r),
                            xf.seg(), psiC.seg(), uf.seg());
                    Raw.be().gemm(GemmSpec.strided(false, false, rows, out, r, scale, 1f, r, Math.max(1, out),
                            Math.max(1, out)), uf.seg(), gen.seg(), y.seg());
                }
                Tensor[] inputs = bias == null ? new Tensor[] {x, w, phi, psi} : new Tensor[] {x, w, phi, psi, bias};
                return Node.shouldRecord(inputs)
                        ? Node.record(y, new GeneratedLinearOp(inputs, w, xf, uf, gen, psiC, scale, dropout)) : y;
            }
        }
    }

    @Override
    @Nullable Tensor[] backward(Tensor grad) {
        Tensor[] grads = new Tensor[inputs().length];
        boolean wantX = needsGrad(0);
        boolean wantPhi = needsGrad(2);
        boolean wantPsi = needsGrad(3);
        try (Tensor gf = Raw.flatF32(grad, rows, out);
             Tensor du = wantX || wantPsi ? Raw.empty(DType.F32, new long[] {rows, r}) : null) {
            if (du != null && rows > 0 && r > 0) {
                // du = scale · g Gᵀ (rows × r)
                Raw.be().gemm(GemmSpec.strided(false, true, rows, r, out, scale, 0f, Math.max(1, out), Math.max(1, out),
                        r), gf.seg(), g.seg(), du.seg());
            }
            if (wantX || wantPhi) {
                // [dx; dphi] = [g; dG]·W, the rows of dG against drop(W); only the parts that are wanted
                int top = wantX ? rows : 0;
                int bottom = wantPhi ? r : 0;
                try (Tensor dg = Raw.empty(DType.F32, new long[] {bottom, out})) {
                    if (bottom > 0) {
                        // dG = scale · uᵀ g (r × out)
                        if (rows > 0) {
                            Raw.be().gemm(GemmSpec.strided(true, false, r, out, rows, scale, 0f, r,
                                    Math.max(1, out), Math.max(1, out)), u.seg(), gf.seg(), dg.seg());
                        } else {
                            Raw.be().fill(dg.seg(), (long) r * out, 0f);
                        }
                    }
                    Tensor both = Raw.empty(DType.F32, new long[] {(long) top + bottom, in});
                    if (bottom == 0) {
                        Raw.gemmInto(gf, w, both, 0f, null, null);
                    } else if (top == 0) {
                        Raw.gemmInto(dg, w, both, 0f, null, dropout == null ? null : dropout.fromRow(0));
                    } else {
                        Raw.gemmStackedInto(gf, dg, w, both, dropout == null ? null : dropout.fromRow(top));
                    }
                    if (wantX) {
                        long[] xShape = inputs()[0].shapeRef();
                        Tensor dx = both.viewOf(0, xShape, Shapes.contiguousStrides(xShape));
                        if (rows > 0 && r > 0 && in > 0) {
                            // dx += du psi
                            Raw.be().gemm(GemmSpec.strided(false, false, rows, in, r, 1f, 1f, r, in, in),
                                    du.seg(), psi.seg(), dx.seg());
                        }
                        grads[0] = dx;
                    }
                    if (wantPhi) {
                        // its own copy (r rows): a view would keep dx's rows alive as long as phi's gradient
                        try (Tensor dphi = both.viewOf((long) top * in, new long[] {r, in}, new long[] {in, 1})) {
                            grads[2] = Raw.contiguousAs(dphi, DType.F32);
                        }
                    }
                    both.close();
                }
            }
            if (wantPsi) {
                // dpsi = duᵀ x (r × in)
                Tensor dpsi = Raw.empty(DType.F32, new long[] {r, in});
                if (rows > 0) {
                    Raw.be().gemm(GemmSpec.strided(true, false, r, in, rows, 1f, 0f, r, in, in),
                            du.seg(), x.seg(), dpsi.seg());
                } else {
                    Raw.be().fill(dpsi.seg(), (long) r * in, 0f);
                }
                grads[3] = dpsi;
            }
            if (grads.length == 5 && needsGrad(4)) {
                grads[4] = Raw.reduce(ReduceOp.SUM, gf, 0, false);
            }
        }
        return grads;
    }
}
