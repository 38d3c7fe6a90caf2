package org.wegeft.peft.wegeft;

import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.WeightDropout;
import org.wegeft.nn.CountingRandom;
import org.wegeft.nn.Linear;
import org.wegeft.nn.Stochastic;
import org.wegeft.peft.AdapterWeight;
import org.wegeft.peft.TunerLayer;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;

/**
 * WeGeFT on a frozen Linear {@code y = x Wᵀ + b}, W (d_out, d_in): the update ΔW = s·(W phiᵀ) psi is generated
 * from W itself by two small matrices phi, psi (r, d_in); s = alpha / r.
 *
 * <pre>
 *   generator form       y = x Wᵀ + b + s · (x psiᵀ) (drop(W) phiᵀ)ᵀ     (dropout on W, as the authors' code)
 *                              └─ base ─┘      (N,r)     (d_out,r)
 *   representation form  y = (x + s · (x psiᵀ) phi) Wᵀ + b                (no weight-shaped tensor at all)
 *                               └── rank-r edit of the input ──┘
 * </pre>
 *
 * The forward uses the representation form whenever it is exact (dropout 0 or eval mode), the generator form
 * otherwise. Children: {@code base_layer} (the wrapped Linear), {@code wegeft_phi}, {@code wegeft_psi}
 * ({@link AdapterWeight}s, possibly shared with the other layers of a tie group; the module tree and the
 * adapter file list them under the first layer of the group).
 */
public final class WeGeFTLinear extends TunerLayer implements Stochastic {
    private final AdapterWeight phi;
    private final AdapterWeight psi;
    private final float scale;
    private final float dropout;
    private final CountingRandom rng;

    /**
     * @param phi     (r, d_in), zeros at initialisation
     * @param psi     (r, d_in), kaiming-uniform
     * @param scale   alpha / r
     * @param dropout probability of dropping elements of W in the generator
     */
    public WeGeFTLinear(Linear base, AdapterWeight phi, AdapterWeight psi, float scale, float dropout,
            RandomGenerator rng) {
        super(base);
        long r = phi.weight().size(0);
        if (phi.weight().size(1) != base.inFeatures() || psi.weight().size(1) != base.inFeatures()
                || psi.weight().size(0) != r) {
            throw new IllegalArgumentException("WeGeFT phi " + java.util.Arrays.toString(phi.weight().shape())
                    + " and psi " + java.util.Arrays.toString(psi.weight().shape()) + " must both be (r, "
                    + base.inFeatures() + ") for a Linear with in_features=" + base.inFeatures());
        }
        this.phi = registerModule("wegeft_phi", phi).get();
        this.psi = registerModule("wegeft_psi", psi).get();
        this.scale = scale;
        this.dropout = dropout;
        this.rng = CountingRandom.from(rng);
    }

    /** A fresh pair for a layer of input size {@code dIn}: phi zeros, psi kaiming-uniform (a = √5) = U(±1/√d_in). */
    public static AdapterWeight[] newPair(int r, long dIn, RandomGenerator rng) {
        float bound = (float) (1.0 / Math.sqrt(dIn)); // gain √(2/(1+a²)) = √(1/3), bound = gain·√(3/fan_in)
        AdapterWeight psi = new AdapterWeight(Tensor.uniform(rng, -bound, bound, r, dIn));
        AdapterWeight phi = new AdapterWeight(Tensor.zeros(r, dIn));
        return new AdapterWeight[] {phi, psi};
    }

    public AdapterWeight phi() {
        return phi;
    }

    public AdapterWeight psi() {
        return psi;
    }

    public float scale() {
        return scale;
    }

    /** True when the forward uses the representation form (it is exact: dropout 0 or eval mode). */
    public boolean usesRepresentationForm() {
        return dropout == 0f || !isTraining();
    }

    @Override
    protected Tensor adaptedForward(Tensor x) {
        return usesRepresentationForm() ? forwardRepresentation(x) : forwardGenerator(x);
    }

    /**
     * y = x Wᵀ + b + s · (x psiᵀ)(drop(W) phiᵀ)ᵀ. x: (..., d_in) → (..., d_out). One node
     * ({@link Functional#generatedLinear}): the base product and the generator's share each pass over W; in training
     * with dropout, drop(W) is generated inside those GEMMs (forward, and phi's gradient in backward) from one key
     * drawn per call, and no weight-shaped tensor is made.
     */
    public Tensor forwardGenerator(Tensor x) {
        Linear base = baseLayer();
        WeightDropout drop = isTraining() && dropout > 0f ? new WeightDropout(rng.nextLong(), dropout) : null;
        return Functional.generatedLinear(x, base.weight(), base.bias(), phi.weight(), psi.weight(), scale, drop);
    }

    /**
     * y = (x + s · (x psiᵀ) phi) Wᵀ + b (exact only without dropout). x: (..., d_in) → (..., d_out). One node
     * ({@link Functional#editedLinear}): the frozen product edits x as it reads it.
     */
    public Tensor forwardRepresentation(Tensor x) {
        Linear base = baseLayer();
        return Functional.editedLinear(x, base.weight(), base.bias(), psi.weight(), phi.weight(), scale);
    }

    @Override
    public Tensor deltaWeight() {
        return WeGeFTMethod.deltaW(baseLayer().weight(), phi.weight(), psi.weight(), scale);
    }

    /** The bias of the base layer, or null. */
    public @Nullable Tensor bias() {
        return baseLayer().bias();
    }

    @Override
    public CountingRandom generator() {
        return rng;
    }
}
