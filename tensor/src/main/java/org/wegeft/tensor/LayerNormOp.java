package org.wegeft.tensor;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.DType;

/**
 * LayerNorm over the last dim (fused kernel): y = (x − mean)·rstd·gamma + beta, biased variance.
 * Saves x, gamma, and per-row mean and rstd; backward writes dx and accumulates dgamma, dbeta.
 */
final class LayerNormOp extends Node {
    private final Tensor x;
    private final @Nullable Tensor gamma;
    private final Tensor mean;
    private final Tensor rstd;
    private final int gammaIndex;
    private final int betaIndex;
    private final int rows;
    private final int cols;

    private LayerNormOp(Tensor[] inputs, Tensor xc, @Nullable Tensor gamma, Tensor mean, Tensor rstd,
                        int gammaIndex, int betaIndex, int rows, int cols) {
        super(inputs);
        this.x = save(xc);
        this.gamma = gamma == null ? null : save(gamma);
        this.mean = save(mean);
        this.rstd = save(rstd);
        this.gammaIndex = gammaIndex;
        this.betaIndex = betaIndex;
        this.rows = rows;
        this.cols = cols;
    }

    static Tensor apply(Tensor x, @Nullable Tensor gamma, @Nullable Tensor beta, float eps) {
        // x: (..., C)  gamma, beta: (C)
        int cols = Shapes.checkedInt(x.size(-1), "layerNorm");
        checkParam("gamma", gamma, cols, x);
        checkParam("beta", beta, cols, x);
        int rows = Shapes.checkedInt(cols == 0 ? 0 : x.numel() / cols, "layerNorm");
        Tensor y = Raw.empty(DType.F32, x.shapeRef());
        try (Operand xo = Operand.f32(x);
             Operand go = gamma == null ? null : Operand.f32(gamma);
             Operand bo = beta == null ? null : Operand.f32(beta);
             Tensor mean = Raw.empty(DType.F32, new long[] {rows});
             Tensor rstd = Raw.empty(DType.F32, new long[] {rows})) {
            Raw.be().layerNorm(xo.seg(), go == null ? MemorySegment.NULL : go.seg(),
                    bo == null ? MemorySegment.NULL : bo.seg(), y.seg(), mean.seg(), rstd.seg(), rows, cols, eps);
            Tensor[] inputs = gamma == null ? (beta == null ? new Tensor[] {x} : new Tensor[] {x, beta})
                    : (beta == null ? new Tensor[] {x, gamma} : new Tensor[] {x, gamma, beta});
            if (!Node.shouldRecord(inputs)) {
                return y;
            }
            int gi = gamma == null ? -1 : 1;
            int bi = beta == null ? -1 : (gamma == null ? 1 : 2);
            Node.record(y, new LayerNormOp(inputs, xo.t(), go == null ? null : go.t(), mean, rstd, gi, bi, rows,
                    cols));
            if (Refills.wanted(y)) {
                y.storage().recomputeOnDemand(new Refills.LayerNorm(xo.t().savedAlias(),
                        go == null ? null : go.t().savedAlias(), bo == null ? null : bo.t().savedAlias(), rows, cols,
                        eps));
            }
            return y;
        }
    }

    static void checkParam(String name, @Nullable Tensor p, long cols, Tensor x) {
        if (p != null && (p.dim() != 1 || p.size(0) != cols)) {
            throw new ShapeMismatchException("norm " + name + " " + p + " does not match the last dim of " + x);
        }
    }

    @Override
    @Nullable Tensor[] backward(Tensor g) {
        Tensor[] grads = new Tensor[inputs().length];
        Tensor dx = Raw.empty(DType.F32, x.shapeRef());
        Tensor dgamma = gammaIndex >= 0 && needsGrad(gammaIndex) ? Raw.full(new long[] {cols}, 0f) : null;
        Tensor dbeta = betaIndex >= 0 && needsGrad(betaIndex) ? Raw.full(new long[] {cols}, 0f) : null;
        try (Operand go = Operand.f32(g)) {
            Raw.be().layerNormBackward(x.seg(), gamma == null ? MemorySegment.NULL : gamma.seg(), mean.seg(),
                    rstd.seg(), go.seg(), dx.seg(), dgamma == null ? MemorySegment.NULL : dgamma.seg(),
                    dbeta == null ? MemorySegment.NULL : dbeta.seg(), rows, cols);
        }
        grads[0] = dx;
        if (dgamma != null) {
            grads[gammaIndex] = dgamma;
        }
        if (dbeta != null) {
            grads[betaIndex] = dbeta;
        }
        return grads;
    }
}
