package org.wegeft.peft.vera;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.wegeft.nn.CountingRandom;
import org.wegeft.nn.Linear;
import org.wegeft.nn.Param;
import org.wegeft.nn.Stochastic;
import org.wegeft.peft.TunerLayer;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;

/**
 * VeRA on a frozen Linear, Hugging Face PEFT semantics:
 * {@code y = x Wᵀ + b + λ_b ⊙ ((λ_d ⊙ (drop(x) Aᵀ)) Bᵀ)}, with A (r, max d_in) and B (max d_out, r) frozen random
 * projections one per model, each layer reading their leading A[:, :d_in] and B[:d_out]; λ_b = {@code vera_lambda_b}
 * (d_out) and λ_d = {@code vera_lambda_d} (r) train.
 */
public final class VeraLinear extends TunerLayer implements Stochastic {
    private final Param lambdaB;
    private final Param lambdaD;
    private final Tensor projA;
    private final Tensor projB;
    private final boolean saveProjection;
    private final float dropout;
    private final CountingRandom rng;

    /**
     * @param projA          the model's A (r, ≥ d_in), shared
     * @param projB          the model's B (≥ d_out, r), shared
     * @param saveProjection whether the adapter file holds A and B ({@link #modelTensors()})
     */
    public VeraLinear(Linear base, Tensor projA, Tensor projB, boolean saveProjection, Tensor lambdaB, Tensor lambdaD,
            float dropout, RandomGenerator rng) {
        super(base);
        this.projA = projA;
        this.projB = projB;
        this.saveProjection = saveProjection;
        this.lambdaB = registerParameter("vera_lambda_b", lambdaB);
        this.lambdaD = registerParameter("vera_lambda_d", lambdaD);
        this.dropout = dropout;
        this.rng = CountingRandom.from(rng);
    }

    public Tensor lambdaB() {
        return lambdaB.get();
    }

    public Tensor lambdaD() {
        return lambdaD.get();
    }

    /** x: (..., d_in) → (..., d_out). */
    @Override
    protected Tensor adaptedForward(Tensor x) {
        Linear base = baseLayer();
        try (Tensor a = projA.narrow(1, 0, base.inFeatures()); Tensor b = projB.narrow(0, 0, base.outFeatures());
                Tensor y = base.forward(x);
                Tensor xd = Functional.dropout(x, dropout, isTraining(), rng);
                Tensor u = Functional.linear(xd, a, null);                   // (..., r)
                Tensor ud = u.mul(lambdaD.get());
                Tensor v = Functional.linear(ud, b, null);                   // (..., d_out)
                Tensor vb = v.mul(lambdaB.get())) {
            return y.add(vb);
        }
    }

    @Override
    public Tensor deltaWeight() {
        return VeraMethod.deltaW(projA, projB, lambdaB.get(), lambdaD.get(), baseLayer().outFeatures(),
                baseLayer().inFeatures());
    }

    @Override
    public Map<String, Tensor> modelTensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (saveProjection) {
            out.put("vera_A", projA);
            out.put("vera_B", projB);
        }
        return out;
    }

    @Override
    public CountingRandom generator() {
        return rng;
    }
}
