package org.wegeft.peft.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
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
import org.wegeft.peft.TargetModules;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;

/**
 * LoRA as an {@link AdapterMethod}, Hugging Face PEFT's {@code "LORA"}: {@code lora_alpha}, {@code lora_dropout},
 * {@code use_rslora}; {@code lora_A} (r, d_in) and {@code lora_B} (d_out, r) per target; ΔW = s·B A. With
 * {@code use_dora} (DoRA, registered on its own as {@link DoraMethod}) a {@code lora_magnitude_vector} (d_out) too, and
 * W + ΔW = m / ‖W + s·B A‖ ⊙ (W + s·B A), row by row.
 */
public final class LoraMethod implements AdapterMethod {
    private static final Set<String> FIELDS = Set.of("lora_alpha", "lora_dropout", "use_rslora", "exclude_modules",
            "rank_pattern", "alpha_pattern", "init_lora_weights", "use_dora");

    @Override
    public String name() {
        return "lora";
    }

    @Override
    public String label() {
        return "LoRA";
    }

    @Override
    public int defaultRank() {
        return 16;
    }

    /** alpha 2·r and dropout 0.05 on x unless given (no sharing across layers: LoRA has none). */
    @Override
    public AdapterConfig config(MethodOptions options) {
        int r = options.rank();
        return LoraConfig.of(r, options.alphaOr(2.0 * r), options.targetModules()).withDropout(options.dropoutOr(0.05))
                .withModulesToSave(options.saved());
    }

    /**
     * B(A x), with a = 2·tokens·r·d_in and b = 2·tokens·r·d_out: a + b forward; dB, du = g B and dA backward, and
     * dx += du A when the input needs a gradient. The update is added after the frozen product, whose input gradient
     * is needed only when the input's is.
     */
    @Override
    public AdapterFlops adapterFlops(double tokens, double dIn, double dOut, int rank, boolean inputGradient) {
        double a = 2 * tokens * rank * dIn;
        double b = 2 * tokens * rank * dOut;
        return new AdapterFlops(a + b, 2 * b + a + (inputGradient ? a : 0), false);
    }

    @Override
    public String peftType() {
        return LoraConfig.PEFT_TYPE;
    }

    @Override
    public String tensorPrefix() {
        return "lora_";
    }

    @Override
    public Set<String> fields() {
        return FIELDS;
    }

    /**
     * PEFT's LoRA fields. A field that would change the math and is not implemented here (a LoRA bias, Conv1D's
     * transposed weights, layer replication, other initialisations) is refused, never kept as if applied.
     */
    @Override
    public AdapterConfig parse(AdapterConfigFields f) {
        ConfigFields c = f.fields();
        refuse(c, "lora_bias", "a LoRA bias is not supported");
        f.refuseFanInFanOut();
        JsonNode replication = c.get("layer_replication");
        if (replication != null && !replication.isNull()) {
            throw c.error("layer_replication", "layer replication is not supported");
        }
        Map<String, Integer> ranks = new LinkedHashMap<>();
        f.numberMap("rank_pattern").forEach((k, v) -> {
            if (v != Math.rint(v)) {
                throw c.error("rank_pattern", "rank of \"" + k + "\" must be an integer, got " + v);
            }
            ranks.put(k, v.intValue());
        });
        return new LoraConfig(f.r(), c.number("lora_alpha", 8.0), c.number("lora_dropout", 0.0), f.targetModules(),
                c.bool("use_rslora", false), f.bias(), f.modulesToSave(), f.layersToTransform(), f.layersPattern(),
                f.extra(FIELDS), f.optionalModules("exclude_modules"), ranks, f.numberMap("alpha_pattern"),
                initLoraWeights(c), c.bool("use_dora", false));
    }

    /** Refuses {@code key: true}. */
    private static void refuse(ConfigFields c, String key, String why) {
        if (c.bool(key, false)) {
            throw c.error(key, why + " (must be false)");
        }
    }

    /** {@code init_lora_weights}: true, false or "gaussian" (PEFT's other schemes are refused by the config). */
    private static String initLoraWeights(ConfigFields c) {
        JsonNode n = c.get("init_lora_weights");
        if (n == null || n.isNull()) {
            return "true";
        }
        if (n.isBoolean()) {
            return n.asBoolean() ? "true" : "false";
        }
        if (n.isTextual()) {
            return n.asText();
        }
        throw c.mistyped("init_lora_weights", "true, false or \"gaussian\"", n);
    }

    @Override
    public void write(AdapterConfig config, ObjectNode json) {
        LoraConfig l = (LoraConfig) config;
        AdapterConfigFields.putNumber(json, "lora_alpha", l.loraAlpha());
        json.put("lora_dropout", l.loraDropout());
        json.put("use_rslora", l.useRslora());
        ObjectNode ranks = json.putObject("rank_pattern");
        l.rankPattern().forEach(ranks::put);
        ObjectNode alphas = json.putObject("alpha_pattern");
        l.alphaPattern().forEach((k, v) -> AdapterConfigFields.putNumber(alphas, k, v));
        json.put("use_dora", l.useDora());
        switch (l.initLoraWeights()) {
            case "true" -> json.put("init_lora_weights", true);
            case "false" -> json.put("init_lora_weights", false);
            default -> json.put("init_lora_weights", l.initLoraWeights());
        }
        TargetModules ex = l.excludeModules();
        if (ex == null) {
            json.putNull("exclude_modules");
        } else if (ex.regex() != null) {
            json.put("exclude_modules", ex.regex());
        } else {
            ex.names().forEach(json.putArray("exclude_modules")::add);
        }
    }

    /**
     * A (r_t, d_in) and B (d_out, r_t), r_t the target's rank ({@link LoraConfig#rankFor}), and with DoRA the magnitude
     * (d_out), saved as PEFT saves it ({@code lora_magnitude_vector}, no {@code .weight}).
     */
    @Override
    public List<AdapterTensor> tensors(AdapterPlan plan, AdapterTarget t) {
        LoraConfig l = (LoraConfig) plan.config();
        int r = l.rankFor(t.path());
        AdapterTensor a = new AdapterTensor("lora_A.weight", new long[] {r, t.dIn()});
        AdapterTensor b = new AdapterTensor("lora_B.weight", new long[] {t.dOut(), r});
        return l.useDora() ? List.of(a, b, new AdapterTensor("lora_magnitude_vector", new long[] {t.dOut()}))
                : List.of(a, b);
    }

    @Override
    public AdapterLayer wrap(AdapterPlan plan, Linear base, AdapterTarget t, Map<String, List<AdapterWeight>> shared,
            SplittableRandom rng) {
        LoraConfig l = (LoraConfig) plan.config();
        return new LoraLinear(base, l.rankFor(t.path()), l.scaleFor(t.path()), l.dropout(), l.initLoraWeights(),
                l.useDora(), rng.split());
    }

    @Override
    public Tensor deltaW(AdapterPlan plan, AdapterTarget t, Tensor w, List<Tensor> tensors) {
        LoraConfig l = (LoraConfig) plan.config();
        float s = l.scaleFor(t.path());
        return l.useDora() ? doraDeltaW(w, tensors.get(0), tensors.get(1), tensors.get(2), s)
                : deltaW(tensors.get(0), tensors.get(1), s);
    }

    /**
     * ΔW = s · B A in float32, without autograd.
     * @param a (r, d_in)
     * @param b (d_out, r)
     * @return (d_out, d_in)
     */
    public static Tensor deltaW(Tensor a, Tensor b, float scale) {
        try (var g = Grad.disabled(); Tensor prod = b.matmul(a)) {
            return prod.mul(scale);
        }
    }

    /**
     * DoRA's ΔW = m / ‖W + s·B A‖ ⊙ (W + s·B A) − W in float32 (row norms and m per output row), without autograd: the
     * merged weight of PEFT's {@code DoraLinearVariant.merge_safe} minus W.
     * @param w (d_out, d_in), any float dtype
     * @param m (d_out)
     */
    public static Tensor doraDeltaW(Tensor w, Tensor a, Tensor b, Tensor m, float scale) {
        try (var g = Grad.disabled(); Tensor w32 = w.to(DType.F32); Tensor d = deltaW(a, b, scale);
                Tensor v = w32.add(d); Tensor n = rowNorms(v); Tensor f = m.div(n); Tensor col = f.unsqueeze(1);
                Tensor merged = v.mul(col)) {
            return merged.sub(w32);
        }
    }

    /** The L2 norm of each row of {@code v} (d_out, d_in) → (d_out), without autograd. */
    static Tensor rowNorms(Tensor v) {
        try (var g = Grad.disabled(); Tensor sq = v.mul(v); Tensor sum = sq.sum(1, false)) {
            return sum.sqrt();
        }
    }
}
