package org.wegeft.llm;

import org.wegeft.kernels.DType;
import org.wegeft.nn.Layer;
import org.wegeft.nn.Module;
import org.wegeft.nn.Param;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/**
 * Gemma's RMSNorm: {@code x · rsqrt(mean(x²) + eps) · (1 + weight)}, in float32. The parameter "weight" is what
 * Hugging Face stores (the scale minus one, zeros for a fresh model), so a checkpoint loads, trains and saves
 * unchanged; the (1 + weight) is formed on every call and differentiates into "weight".
 */
public final class GemmaRMSNorm extends Module implements Layer {
    private final float eps;
    private final Param weight;

    /** @param weight (dim), as stored; F32 is trainable, BF16/F16 frozen and widened on use */
    GemmaRMSNorm(Tensor weight, float eps) {
        if (weight.dim() != 1) {
            throw new IllegalArgumentException("GemmaRMSNorm needs a (dim) weight, got " + weight);
        }
        this.eps = eps;
        this.weight = registerParameter("weight", weight);
    }

    // x: (..., C) → (..., C)
    @Override
    public Tensor forward(Tensor x) {
        return TensorScope.call(() -> {
            Tensor w = weight.get();
            Tensor scale = (w.dtype() == DType.F32 ? w : w.to(DType.F32)).add(1f);      // (C)
            return Functional.rmsNorm(x, scale, eps);
        });
    }

    public float eps() {
        return eps;
    }
}
