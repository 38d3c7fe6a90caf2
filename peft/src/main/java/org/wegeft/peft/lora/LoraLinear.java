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
 * {@code y = x Wᵀ + b + s · (drop(x) Aᵀ) Bᵀ}, A = {@code lora_A} (r, d_in), B = {@code lora_B} (d_out, r),
 * s = alpha / r (alpha / √r with rsLoRA), dropout on x. Initialisation as PEFT's {@code init_lora_weights}: true,
 * A kaiming-uniform (a = √5) and B zeros; "gaussian", A ~ N(0, 1/r) and B zeros; false, both as a fresh nn.Linear
 * (kaiming-uniform, a = √5), so ΔW ≠ 0 from the start.
 * Children: {@code base_layer}, {@code lora_A}, {@code lora_B}.
 */
public final class LoraLinear extends TunerLayer implements Stochastic {
    private final AdapterWeight loraA;
    private final AdapterWeight loraB;
    private final float scale;
    private final float dropout;
    private final CountingRandom rng;

    /** PEFT's default initialisation ({@code init_lora_weights: true}). */
    public LoraLinear(Linear base, int r, float scale, float dropout, RandomGenerator rng) {
        this(base, r, scale, dropout, "true", rng);
    }

    /** @param init {@code "true"}, {@code "false"} or {@code "gaussian"} ({@code init_lora_weights}) */
    public LoraLinear(Linear base, int r, float scale, float dropout, String init, RandomGenerator rng) {
        super(base);
        long in = base.inFeatures();
        float boundA = (float) (1.0 / Math.sqrt(in)); // kaiming-uniform a = √5: U(±1/√fan_in)
        Tensor a = switch (init) {
            case "gaussian" -> {
                try (Tensor g = Tensor.randn(rng, r, in)) {
                    yield g.mul(1f / r);
                }
            }
            case "true", "false" -> Tensor.uniform(rng, -boundA, boundA, r, in);
            default -> throw new IllegalArgumentException("init_lora_weights: supported true, false or \"gaussian\", got "
                    + init);
        };
        float boundB = (float) (1.0 / Math.sqrt(r));
        Tensor b = init.equals("false") ? Tensor.uniform(rng, -boundB, boundB, base.outFeatures(), r)
                : Tensor.zeros(base.outFeatures(), r);
        this.loraA = registerModule("lora_A", new AdapterWeight(a)).get();
        this.loraB = registerModule("lora_B", new AdapterWeight(b)).get();
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
