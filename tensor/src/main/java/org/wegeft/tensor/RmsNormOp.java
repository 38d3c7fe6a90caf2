package org.wegeft.tensor;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.DType;

/**
 * RMSNorm as Hugging Face LLaMA (fused kernel): y = x·rstd·weight, rstd = 1/sqrt(mean(x²) + eps).
 * Saves x, weight and per-row rstd; backward writes dx and accumulates dweight.
 */
final class RmsNormOp extends Node {
    private final Tensor x;
    private final @Nullable Tensor weight;
    private final Tensor rstd;
    private final int rows;
    private final int cols;

    private RmsNormOp(Tensor[] inputs, Tensor xc, @Nullable Tensor weight, Tensor rstd, int rows, int cols) {
        super(inputs);
        this.x = save(xc);
        this.weight = weight == null ? null : save(weight);
        this.rstd = save(rstd);
        this.rows = rows;
        this.cols = cols;
    }

    static Tensor apply(Tensor x, @Nullable Tensor weight, float eps) {
        // x: (..., C)  weight: (C)
        int cols = Shapes.checkedInt(x.size(-1), "rmsNorm");
        LayerNormOp.checkParam("weight", weight, cols, x);
        int rows = Shapes.checkedInt(cols == 0 ? 0 : x.numel() / cols, "rmsNorm");
        Tensor y = Raw.empty(DType.F32, x.shapeRef());
        try (Operand xo = Operand.f32(x);
             Operand wo = weight == null ? null : Operand.f32(weight);
             Tensor rstd = Raw.empty(DType.F32, new long[] {rows})) {
            Raw.be().rmsNorm(xo.seg(), wo == null ? MemorySegment.NULL : wo.seg(), y.seg(), rstd.seg(), rows, cols,
                    eps);
            Tensor[] inputs = weight == null ? new Tensor[] {x} : new Tensor[] {x, weight};
            if (!Node.shouldRecord(inputs)) {
                return y;
            }
            Node.record(y, new RmsNormOp(inputs, xo.t(), wo == null ? null : wo.t(), rstd, rows, cols));
            if (Refills.wanted(y)) {
                y.storage().recomputeOnDemand(new Refills.RmsNorm(xo.t().savedAlias(),
                        wo == null ? null : wo.t().savedAlias(), rows, cols, eps));
            }
            return y;
        }
    }

    @Override
    @Nullable Tensor[] backward(Tensor g) {
        Tensor dx = Raw.empty(DType.F32, x.shapeRef());
        Tensor dw = inputs().length > 1 && needsGrad(1) ? Raw.full(new long[] {cols}, 0f) : null;
        try (Operand go = Operand.f32(g)) {
            Raw.be().rmsNormBackward(x.seg(), weight == null ? MemorySegment.NULL : weight.seg(), rstd.seg(),
                    go.seg(), dx.seg(), dw == null ? MemorySegment.NULL : dw.seg(), rows, cols);
        }
        return inputs().length > 1 ? new Tensor[] {dx, dw} : new Tensor[] {dx};
    }
}
