package org.wegeft.peft.lora;

import java.util.random.RandomGenerator;
import org.wegeft.nn.CountingRandom;
import org.wegeft.nn.Linear;
import org.wegeft.nn.Stochastic;
import org.wegeft.peft.AdapterWeight;
import org.wegeft.peft.TunerLayer;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;

/**
 * LoRA on a frozen Linear, Hugging Face PEFT semantics:
 * {@code y = x Wᵀ + b + s · (drop(x) Aᵀ) Bᵀ}, A = {@code lora_A} (r, d_in) kaiming-uniform (a = √5),
 * B = {@code lora_B} (d_out, r) zeros, s = alpha / r (alpha / √r with rsLoRA), dropout on x.
 * Children: {@code base_layer}, {@code lora_A}, {@code lora_B}.
 */
public final class LoraLinear extends TunerLayer implements Stochastic {
    private final AdapterWeight loraA;
    private final AdapterWeight loraB;
    private final float scale;
    private final float dropout;
    private final CountingRandom rng;

    public LoraLinear(Linear base, int r, float scale, float dropout, RandomGenerator rng) {
        super(base);
        float bound = (float) (1.0 / Math.sqrt(base.inFeatures())); // kaiming-uniform a = √5
        this.loraA = registerModule("lora_A", new AdapterWeight(
                Tensor.uniform(rng, -bound, bound, r, base.inFeatures()))).get();
        this.loraB = registerModule("lora_B", new AdapterWeight(Tensor.zeros(base.outFeatures(), r))).get();
        this.scale = scale;
        this.dropout = dropout;
        this.rng = CountingRandom.from(rng);
    }

    public AdapterWeight loraA() {
        return loraA;
    }

    public AdapterWeight loraB() {
        return loraB;
    }

    public float scale() {
        return scale;
    }

    /** x: (..., d_in) → (..., d_out). */
    @Override
    protected Tensor adaptedForward(Tensor x) {
        try (Tensor y = baseLayer().forward(x);
                Tensor xd = Functional.dropout(x, dropout, isTraining(), rng);
                Tensor xa = Functional.linear(xd, loraA.weight(), null);   // (..., r)
                Tensor xab = Functional.linear(xa, loraB.weight(), null);  // (..., d_out)
                Tensor scaled = xab.mul(scale)) {
            return y.add(scaled);
        }
    }

    @Override
    public Tensor deltaWeight() {
        return LoraMethod.deltaW(loraA.weight(), loraB.weight(), scale);
    }

    @Override
    public CountingRandom generator() {
        return rng;
    }
}
