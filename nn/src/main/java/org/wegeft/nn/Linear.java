package org.wegeft.nn;

import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;

/**
 * {@code y = x·Wᵀ + b}, weight (out_features, in_features), as torch {@code nn.Linear}; one GEMM with the
 * bias folded in. Initialisation as torch: W and b uniform in ±1/√in_features (kaiming-uniform, a = √5).
 */
public final class Linear extends Module implements Layer {
    private final int inFeatures;
    private final int outFeatures;
    private final Param weight;
    private final @Nullable Param bias;

    public Linear(int inFeatures, int outFeatures, boolean bias, RandomGenerator rng) {
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("Linear needs positive sizes, got in=" + inFeatures + " out=" + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        float bound = (float) (1.0 / Math.sqrt(inFeatures));
        this.weight = registerParameter("weight", Tensor.uniform(rng, -bound, bound, outFeatures, inFeatures));
        this.bias = bias ? registerParameter("bias", Tensor.uniform(rng, -bound, bound, outFeatures)) : null;
    }

    /**
     * A Linear over given tensors (e.g. checkpoint weights, possibly BF16 and memory-mapped: those stay frozen).
     * @param weight (out, in), owned by the new module
     * @param bias   (out) or null, owned by the new module
     */
    public Linear(Tensor weight, @Nullable Tensor bias) {
        if (weight.dim() != 2 || weight.size(0) <= 0 || weight.size(1) <= 0
                || (bias != null && (bias.dim() != 1 || bias.size(0) != weight.size(0)))) {
            throw new IllegalArgumentException("Linear needs a weight (out, in) and a bias (out), got " + weight
                    + " and " + bias);
        }
        this.inFeatures = Math.toIntExact(weight.size(1));
        this.outFeatures = Math.toIntExact(weight.size(0));
        this.weight = registerParameter("weight", weight);
        this.bias = bias == null ? null : registerParameter("bias", bias);
    }

    // x: (..., in) → (..., out)
    @Override
    public Tensor forward(Tensor x) {
        return Functional.linear(x, weight.get(), bias == null ? null : bias.get());
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    /** The weight (out, in). */
    public Tensor weight() {
        return weight.get();
    }

    public Param weightParam() {
        return weight;
    }

    public @Nullable Tensor bias() {
        return bias == null ? null : bias.get();
    }
}
