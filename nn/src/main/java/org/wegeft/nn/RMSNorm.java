package org.wegeft.nn;

import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;

/** Hugging Face LLaMA's RMSNorm: {@code weight · x · rsqrt(mean(x²) + eps)}; "weight" initialised to ones. */
public final class RMSNorm extends Module implements Layer {
    private final float eps;
    private final Param weight;

    public RMSNorm(int dim, float eps) {
        if (dim <= 0) {
            throw new IllegalArgumentException("RMSNorm needs a positive dim, got " + dim);
        }
        this.eps = eps;
        this.weight = registerParameter("weight", Tensor.ones(dim));
    }

    // x: (..., C) → (..., C)
    @Override
    public Tensor forward(Tensor x) {
        return Functional.rmsNorm(x, weight.get(), eps);
    }

    public float eps() {
        return eps;
    }
}
