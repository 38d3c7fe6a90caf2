package org.wegeft.nn;

import org.jspecify.annotations.Nullable;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;

/** torch {@code nn.LayerNorm} over the last dim; with elementwise affine: "weight" (ones) and "bias" (zeros). */
public final class LayerNorm extends Module implements Layer {
    private final float eps;
    private final @Nullable Param weight;
    private final @Nullable Param bias;

    public LayerNorm(int dim, float eps, boolean elementwiseAffine) {
        if (dim <= 0) {
            throw new IllegalArgumentException("LayerNorm needs a positive dim, got " + dim);
        }
        this.eps = eps;
        this.weight = elementwiseAffine ? registerParameter("weight", Tensor.ones(dim)) : null;
        this.bias = elementwiseAffine ? registerParameter("bias", Tensor.zeros(dim)) : null;
    }

    /** eps 1e-5 with affine weights, torch's defaults. */
    public LayerNorm(int dim) {
        this(dim, 1e-5f, true);
    }

    // x: (..., C) → (..., C)
    @Override
    public Tensor forward(Tensor x) {
        return Functional.layerNorm(x, weight == null ? null : weight.get(), bias == null ? null : bias.get(), eps);
    }

    public float eps() {
        return eps;
    }
}
