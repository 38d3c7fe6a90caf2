package org.wegeft.peft.vera;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.ConfigFields;
import org.wegeft.nn.Linear;
import org.wegeft.peft.AdapterConfig;
import org.wegeft.peft.AdapterConfigFields;
import org.wegeft.peft.AdapterFlops;
import org.wegeft.peft.AdapterLayer;
import org.wegeft.peft.AdapterMethod;
import org.wegeft.peft.AdapterPlan;
import org.wegeft.peft.AdapterTarget;
import org.wegeft.peft.AdapterTensor;
import org.wegeft.peft.AdapterWeight;
import org.wegeft.peft.MethodOptions;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;

/**
 * VeRA (vector-based random matrix adaptation) as an {@link AdapterMethod}, Hugging Face PEFT's {@code "VERA"}: one
 * pair of frozen random projections for the whole model, A (r, max d_in) and B (max d_out, r), made by PyTorch's
 * generator from {@code projection_prng_key} exactly as PEFT makes them; per target two trained vectors,
 * {@code vera_lambda_b} (d_out) and {@code vera_lambda_d} (r); ΔW = diag(λ_b) B[:d_out] diag(λ_d) A[:, :d_in].
 */
public final class VeraMethod implements AdapterMethod {
    private static final Set<String> FIELDS = Set.of("projection_prng_key", "save_projection", "vera_dropout",
            "d_initial", "fan_in_fan_out", "init_weights");
    /** Where {@link #wrap} keeps the model's projections in its {@code shared} map. */
    private static final String PROJECTIONS = "base_model";

    @Override
    public String name() {
        return "vera";
    }

    @Override
    public String label() {
        return "VeRA";
    }

    /** Rank 256, PEFT's default: the projections are frozen, so a high rank costs no trained parameters. */
    @Override
    public int defaultRank() {
        return 256;
    }

    /** Projection key 0, saved projections, d_initial 0.1, no dropout unless asked; alpha has no meaning here. */
    @Override
    public AdapterConfig config(MethodOptions options) {
        return VeraConfig.of(options.rank(), options.targetModules()).withDropout(options.dropoutOr(0.0))
                .withModulesToSave(options.saved());
    }

    /**
     * u = x A_sᵀ (2·tokens·r·d_in) and (λ_d ⊙ u) B_sᵀ (2·tokens·r·d_out) forward; backward g B_s for λ_d and, when the
     * input needs a gradient, du A_s; the λ gradients are element-wise.
     */
    @Override
    public AdapterFlops adapterFlops(double tokens, double dIn, double dOut, int rank, boolean inputGradient) {
        double a = 2 * tokens * rank * dIn;
        double b = 2 * tokens * rank * dOut;
        return new AdapterFlops(a + b, b + (inputGradient ? a : 0), false);
    }

    @Override
    public String peftType() {
        return VeraConfig.PEFT_TYPE;
    }

    @Override
    public String tensorPrefix() {
        return "vera_lambda_";
    }

    @Override
    public Set<String> fields() {
        return FIELDS;
    }

    @Override
    public AdapterConfig parse(AdapterConfigFields f) {
        ConfigFields c = f.fields();
        f.refuseFanInFanOut();
        return new VeraConfig(f.r(), f.targetModules(), c.integer("projection_prng_key", 0),
                c.bool("save_projection", true), c.number("vera_dropout", 0.0), c.number("d_initial", 0.1),
                c.bool("init_weights", true), f.bias(), f.modulesToSave(), f.layersToTransform(), f.layersPattern(),
                f.extra(FIELDS));
    }

    @Override
    public void write(AdapterConfig config, ObjectNode json) {
        VeraConfig v = (VeraConfig) config;
        json.put("projection_prng_key", v.projectionPrngKey());
        json.put("save_projection", v.saveProjection());
        json.put("vera_dropout", v.veraDropout());
        json.put("d_initial", v.dInitial());
        json.put("fan_in_fan_out", false);
        json.put("init_weights", v.initWeights());
    }

    /**
     * λ_b (d_out) and λ_d (r); with {@code save_projection}, the model-wide A (r, max d_in) and B (max d_out, r) too,
     * stored as {@code base_model.vera_A} and {@code base_model.vera_B}.
     */
    @Override
    public List<AdapterTensor> tensors(AdapterPlan plan, AdapterTarget t) {
        VeraConfig v = (VeraConfig) plan.config();
        List<AdapterTensor> out = new ArrayList<>(List.of(new AdapterTensor("vera_lambda_b", new long[] {t.dOut()}),
                new AdapterTensor("vera_lambda_d", new long[] {v.r()})));
        if (v.saveProjection()) {
            long[] largest = plan.largestShape();
            out.add(new AdapterTensor("vera_A", new long[] {v.r(), largest[1]}, true));
            out.add(new AdapterTensor("vera_B", new long[] {largest[0], v.r()}, true));
        }
        return out;
    }

    @Override
    public AdapterLayer wrap(AdapterPlan plan, Linear base, AdapterTarget t, Map<String, List<AdapterWeight>> shared,
            SplittableRandom rng) {
        VeraConfig v = (VeraConfig) plan.config();
        List<AdapterWeight> proj = shared.computeIfAbsent(PROJECTIONS, k -> {
            Tensor[] ab = projections(v, plan.largestShape());
            AdapterWeight a = new AdapterWeight(ab[0]);
            AdapterWeight b = new AdapterWeight(ab[1]);
            a.requiresGrad(false);
            b.requiresGrad(false);
            return List.of(a, b);
        });
        Tensor lambdaB;
        Tensor lambdaD;
        if (v.initWeights()) {
            lambdaB = Tensor.zeros(t.dOut());
            lambdaD = Tensor.full((float) v.dInitial(), v.r());
        } else {
            lambdaB = Tensor.full(1f, t.dOut());
            lambdaD = Tensor.randn(rng, v.r());
        }
        return new VeraLinear(base, proj.get(0).weight(), proj.get(1).weight(), v.saveProjection(), lambdaB, lambdaD,
                v.dropout(), rng.split());
    }

    @Override
    public Tensor deltaW(AdapterPlan plan, AdapterTarget t, Tensor w, List<Tensor> tensors) {
        VeraConfig v = (VeraConfig) plan.config();
        if (v.saveProjection()) {
            return deltaW(tensors.get(2), tensors.get(3), tensors.get(0), tensors.get(1), t.dOut(), t.dIn());
        }
        Tensor[] ab = projections(v, plan.largestShape());
        try (Tensor a = ab[0]; Tensor b = ab[1]) {
            return deltaW(a, b, tensors.get(0), tensors.get(1), t.dOut(), t.dIn());
        }
    }

    /**
     * The model's projections as PEFT's {@code _kaiming_init} makes them from {@code projection_prng_key}: A (r, d_in)
     * first, then B (d_out, r), each U(±√6 / √fan_in) with fan_in its second size.
     * @param largest the largest (d_out, d_in) over the targets
     */
    static Tensor[] projections(VeraConfig v, long[] largest) {
        int r = v.r();
        int in = Math.toIntExact(largest[1]);
        int out = Math.toIntExact(largest[0]);
        Drawn d = drawn;
        if (d == null || d.key() != v.projectionPrngKey() || d.r() != r || d.in() != in || d.out() != out) {
            TorchGenerator g = new TorchGenerator(v.projectionPrngKey());
            double boundA = Math.sqrt(3.0) * (Math.sqrt(2) / Math.sqrt(in));
            float[] a = g.uniform(r * in, -boundA, boundA);
            double boundB = Math.sqrt(3.0) * (Math.sqrt(2) / Math.sqrt(r));
            drawn = d = new Drawn(v.projectionPrngKey(), r, in, out, a, g.uniform(out * r, -boundB, boundB));
        }
        return new Tensor[] {Tensor.of(d.a(), r, in), Tensor.of(d.b(), out, r)};
    }

    /**
     * The projections last drawn: merging a model whose adapter does not store them asks for the same pair once per
     * target, and drawing is sequential (one generator), so they are drawn once.
     */
    private record Drawn(long key, int r, int in, int out, float[] a, float[] b) {
    }

    private static volatile @Nullable Drawn drawn;

    /**
     * ΔW = (λ_b ⊙ B[:d_out]) (λ_d ⊙ A[:, :d_in]) in float32, without autograd.
     * @return (d_out, d_in)
     */
    static Tensor deltaW(Tensor projA, Tensor projB, Tensor lambdaB, Tensor lambdaD, long dOut, long dIn) {
        try (var g = Grad.disabled(); Tensor a = projA.narrow(1, 0, dIn); Tensor b = projB.narrow(0, 0, dOut);
                Tensor lb = lambdaB.unsqueeze(1); Tensor ld = lambdaD.unsqueeze(1);
                Tensor bs = b.mul(lb); Tensor as = a.mul(ld)) {
            return bs.matmul(as);
        }
    }
}
