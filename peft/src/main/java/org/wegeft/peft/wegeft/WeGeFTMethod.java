package org.wegeft.peft.wegeft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.wegeft.kernels.DType;
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
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;

/**
 * WeGeFT as an {@link AdapterMethod}: {@code peft_type} {@code "WEGEFT"}, the fields of the authors' PEFT fork
 * ({@code wegeft_alpha}, {@code wegeft_dropout}, {@code tied_modules}, {@code transform_dim}), two (r, d_in) tensors
 * per owner ({@code wegeft_phi}, {@code wegeft_psi}; a tie group shares its owner's), ΔW = s·(W phiᵀ) psi.
 */
public final class WeGeFTMethod implements AdapterMethod {
    private static final Set<String> FIELDS = Set.of("wegeft_alpha", "tied_modules", "wegeft_dropout",
            "transform_dim");

    @Override
    public String name() {
        return "wegeft";
    }

    @Override
    public String label() {
        return "WeGeFT";
    }

    /** Rank 64, as the paper's LLaMA runs. */
    @Override
    public int defaultRank() {
        return 64;
    }

    /** alpha 2·r and the paper's dropout 0.1 on W unless given; one (phi, psi) per target name when tied. */
    @Override
    public AdapterConfig config(MethodOptions options) {
        int r = options.rank();
        return WeGeFTConfig.of(r, options.alphaOr(2.0 * r), options.targetModules(), options.tieGroups())
                .withDropout(options.dropoutOr(0.1)).withModulesToSave(options.saved());
    }

    /**
     * The representation form x + s·(x psiᵀ) phi, with p = 2·tokens·r·d_in: u = x psiᵀ and u phi forward; dphi, du
     * and dpsi backward, and dx += du psi when the input needs a gradient. The edited input sits before the frozen
     * product, so its input gradient is always needed.
     */
    @Override
    public AdapterFlops adapterFlops(double tokens, double dIn, double dOut, int rank, boolean inputGradient) {
        double p = 2 * tokens * rank * dIn;
        return new AdapterFlops(2 * p, (inputGradient ? 4 : 3) * p, true);
    }

    @Override
    public String peftType() {
        return WeGeFTConfig.PEFT_TYPE;
    }

    @Override
    public String tensorPrefix() {
        return "wegeft_";
    }

    @Override
    public Set<String> fields() {
        return FIELDS;
    }

    @Override
    public AdapterConfig parse(AdapterConfigFields f) {
        ConfigFields c = f.fields();
        return new WeGeFTConfig(f.r(), c.number("wegeft_alpha", 8.0), f.targetModules(), f.regexGroups("tied_modules"),
                c.number("wegeft_dropout", 0.0), transformDim(c), f.bias(), f.modulesToSave(), f.layersToTransform(),
                f.layersPattern(), f.extra(FIELDS));
    }

    /** {@code transform_dim}: a string, or the authors' fork's {target name: dim} (all must be "input"). */
    private static String transformDim(ConfigFields f) {
        JsonNode n = f.get("transform_dim");
        if (n == null) {
            return "input";
        }
        if (n.isObject()) {
            for (var e : n.properties()) {
                if (!e.getValue().isTextual()) {
                    throw f.mistyped("transform_dim", "\"input\" for every target", n);
                }
                if (!e.getValue().asText().equals("input")) {
                    return e.getValue().asText();
                }
            }
            return "input";
        }
        return f.string("transform_dim", "input");
    }

    @Override
    public void write(AdapterConfig config, ObjectNode json) {
        WeGeFTConfig w = (WeGeFTConfig) config;
        AdapterConfigFields.putNumber(json, "wegeft_alpha", w.wegeftAlpha());
        json.put("wegeft_dropout", w.wegeftDropout());
        json.put("transform_dim", w.transformDim());
        ArrayNode tied = json.putArray("tied_modules");
        w.tiedModules().forEach(g -> g.forEach(tied.addArray()::add));
    }

    @Override
    public List<AdapterTensor> tensors(AdapterPlan plan, AdapterTarget t) {
        long[] shape = {plan.config().r(), t.dIn()};
        return List.of(new AdapterTensor("wegeft_phi.weight", shape), new AdapterTensor("wegeft_psi.weight", shape));
    }

    @Override
    public AdapterLayer wrap(AdapterPlan plan, Linear base, AdapterTarget t, Map<String, List<AdapterWeight>> shared,
            SplittableRandom rng) {
        AdapterConfig config = plan.config();
        List<AdapterWeight> pair = shared.computeIfAbsent(t.owner(),
                k -> List.of(WeGeFTLinear.newPair(config.r(), t.dIn(), rng)));
        return new WeGeFTLinear(base, pair.get(0), pair.get(1), config.scale(), config.dropout(), rng.split());
    }

    @Override
    public Tensor deltaW(AdapterPlan plan, AdapterTarget t, Tensor w, List<Tensor> tensors) {
        return deltaW(w, tensors.get(0), tensors.get(1), plan.config().scale());
    }

    /**
     * ΔW = s · (W phiᵀ) psi in float32, without autograd.
     * @param w   (d_out, d_in), any float dtype
     * @param phi (r, d_in)
     * @param psi (r, d_in)
     * @return (d_out, d_in)
     */
    public static Tensor deltaW(Tensor w, Tensor phi, Tensor psi, float scale) {
        try (var g = Grad.disabled(); Tensor w32 = w.to(DType.F32); Tensor wPhi = Functional.linear(w32, phi, null);
                Tensor prod = wPhi.matmul(psi)) { // wPhi: (d_out, r), prod: (d_out, d_in)
            return prod.mul(scale);
        }
    }
}
