package org.wegeft.peft.lora;

import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.DType;
import org.wegeft.nn.CountingRandom;
import org.wegeft.nn.Linear;
import org.wegeft.nn.Param;
import org.wegeft.nn.Stochastic;
import org.wegeft.peft.AdapterWeight;
import org.wegeft.peft.TunerLayer;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/**
 * LoRA on a frozen Linear, Hugging Face PEFT semantics:
 * {@code y = x Wᵀ + b + s · (drop(x) Aᵀ) Bᵀ}, A = {@code lora_A} (r, d_in), B = {@code lora_B} (d_out, r),
 * s = alpha / r (alpha / √r with rsLoRA), dropout on x. Initialisation as PEFT's {@code init_lora_weights}: true,
 * A kaiming-uniform (a = √5) and B zeros; "gaussian", A ~ N(0, 1/r) and B zeros; false, both as a fresh nn.Linear
 * (kaiming-uniform, a = √5), so ΔW ≠ 0 from the start.
 * <p>
 * With DoRA ({@code use_dora}), a trained magnitude m = {@code lora_magnitude_vector} (d_out) rescales each output row
 * of W + s·B A to m / ‖W + s·B A‖ (the row norm n is a constant to autograd, as PEFT's {@code DoraLinearLayer}):
 * {@code y = b + (m / n) ⊙ (drop(x) Wᵀ + s · (drop(x) Aᵀ) Bᵀ) + (x − drop(x)) Wᵀ}. m starts at n, so the layer starts
 * as the base layer.
 * Children: {@code base_layer}, {@code lora_A}, {@code lora_B}; parameter {@code lora_magnitude_vector} with DoRA.
 */
public final class LoraLinear extends TunerLayer implements Stochastic {
    private final AdapterWeight loraA;
    private final AdapterWeight loraB;
    private final @Nullable Param magnitude;
    private final float scale;
    private final float dropout;
    private final CountingRandom rng;

    /** PEFT's default initialisation ({@code init_lora_weights: true}), no DoRA. */
    public LoraLinear(Linear base, int r, float scale, float dropout, RandomGenerator rng) {
        this(base, r, scale, dropout, "true", false, rng);
    }

    /**
     * @param init {@code "true"}, {@code "false"} or {@code "gaussian"} ({@code init_lora_weights})
     * @param dora with a DoRA magnitude
     */
    public LoraLinear(Linear base, int r, float scale, float dropout, String init, boolean dora, RandomGenerator rng) {
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
        this.magnitude = dora ? registerParameter("lora_magnitude_vector", rowNorms()) : null;
    }

    public AdapterWeight loraA() {
        return loraA;
    }

    public AdapterWeight loraB() {
        return loraB;
    }

    /** DoRA's magnitude (d_out), or null without DoRA. */
    public @Nullable Tensor magnitude() {
        return magnitude == null ? null : magnitude.get();
    }

    public float scale() {
        return scale;
    }

    /** x: (..., d_in) → (..., d_out). */
    @Override
    protected Tensor adaptedForward(Tensor x) {
        if (magnitude != null) {
            return doraForward(x, magnitude.get());
        }
        return TensorScope.call(() -> {
            Tensor y = baseLayer().forward(x);
            Tensor xa = Functional.linear(Functional.dropout(x, dropout, isTraining(), rng), loraA.weight(), null);
            return y.add(Functional.linear(xa, loraB.weight(), null).mul(scale));   // x Wᵀ + b + s · B A drop(x)
        });
    }

    /** b + (m/n) ⊙ (xd Wᵀ + s·(xd Aᵀ) Bᵀ), plus (x − xd) Wᵀ when dropout is active. */
    private Tensor doraForward(Tensor x, Tensor m) {
        Linear base = baseLayer();
        Tensor y;
        Tensor bx;
        try (Tensor n = rowNorms(); Tensor mn = m.div(n);                                  // (d_out)
                Tensor xd = Functional.dropout(x, dropout, isTraining(), rng);
                Tensor xa = Functional.linear(xd, loraA.weight(), null);
                Tensor xab = Functional.linear(xa, loraB.weight(), null);
                Tensor lora = xab.mul(scale)) {
            bx = Functional.linear(xd, base.weight(), null);                                // (..., d_out)
            try (Tensor dir = bx.add(lora)) {
                y = dir.mul(mn);
            }
        }
        boolean dropping = dropout > 0 && isTraining();
        Tensor b = base.bias();
        if (!dropping && b == null) {
            bx.close();
            return y;
        }
        try (bx; y) {
            if (!dropping) {
                return y.add(b);
            }
            try (Tensor full = base.forward(x); Tensor rest = full.sub(bx)) {               // (x − xd) Wᵀ + b
                return y.add(rest);
            }
        }
    }

    /** ‖W + s·B A‖ per output row (d_out) in float32, outside autograd. */
    private Tensor rowNorms() {
        try (var g = Grad.disabled(); Tensor w = baseLayer().weight().to(DType.F32);
                Tensor d = LoraMethod.deltaW(loraA.weight(), loraB.weight(), scale); Tensor v = w.add(d)) {
            return LoraMethod.rowNorms(v);
        }
    }

    @Override
    public Tensor deltaWeight() {
        Tensor m = magnitude();
        if (m == null) {
            return LoraMethod.deltaW(loraA.weight(), loraB.weight(), scale);
        }
        return LoraMethod.doraDeltaW(baseLayer().weight(), loraA.weight(), loraB.weight(), m, scale);
    }

    @Override
    public CountingRandom generator() {
        return rng;
    }
}
