package org.wegeft.peft.ia3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.DType;
import org.wegeft.nn.ConfigFields;
import org.wegeft.nn.Linear;
import org.wegeft.peft.AdapterConfig;
import org.wegeft.peft.AdapterConfigFields;
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
 * (IA)³ (infused adapter by inhibiting and amplifying inner activations) as an {@link AdapterMethod}, Hugging Face
 * PEFT's {@code "IA3"}: one trained vector {@code ia3_l} per target that rescales the input of a feed-forward module
 * ((1, d_in)) or the output of any other ((d_out, 1)); merged, W ← W ⊙ l and, for an output scale, b ← b ⊙ l.
 */
public final class Ia3Method implements AdapterMethod {
    private static final Set<String> FIELDS = Set.of("feedforward_modules", "exclude_modules", "fan_in_fan_out",
            "init_ia3_weights");
    private static final Set<String> COMMON = Set.of("peft_type", "target_modules", "modules_to_save");
    /**
     * The feed-forward modules {@link #config} picks among the targets: the second projection of an MLP (LLaMA's
     * {@code down_proj}, ViT's {@code fc2}), as PEFT's per-model defaults do.
     */
    private static final List<String> MLP_OUTPUTS = List.of("down_proj", "fc2");

    @Override
    public String name() {
        return "ia3";
    }

    @Override
    public String label() {
        return "(IA)³";
    }

    /**
     * The targets asked for, with those that are an MLP's second projection scaling their input; rank, alpha and
     * dropout have no meaning here.
     */
    @Override
    public AdapterConfig config(MethodOptions options) {
        TargetModules targets = options.targetModules();
        List<String> ff = targets.names().stream().filter(n -> MLP_OUTPUTS.stream().anyMatch(n::endsWith)).toList();
        return Ia3Config.of(targets, new TargetModules(ff, null)).withModulesToSave(options.saved());
    }

    @Override
    public String peftType() {
        return Ia3Config.PEFT_TYPE;
    }

    @Override
    public String tensorPrefix() {
        return "ia3_";
    }

    @Override
    public Set<String> fields() {
        return FIELDS;
    }

    @Override
    public Set<String> commonFields() {
        return COMMON;
    }

    @Override
    public AdapterConfig parse(AdapterConfigFields f) {
        ConfigFields c = f.fields();
        f.refuseFanInFanOut();
        TargetModules ff = f.optionalModules("feedforward_modules");
        return new Ia3Config(f.targetModules(), ff == null ? new TargetModules(List.of(), null) : ff,
                f.optionalModules("exclude_modules"), c.bool("init_ia3_weights", true), f.modulesToSave(),
                f.extra(FIELDS));
    }

    @Override
    public void write(AdapterConfig config, ObjectNode json) {
        Ia3Config c = (Ia3Config) config;
        putModules(json, "feedforward_modules", c.feedforwardModules());
        putModules(json, "exclude_modules", c.excludeModules());
        json.put("fan_in_fan_out", false);
        json.put("init_ia3_weights", c.initIa3Weights());
    }

    private static void putModules(ObjectNode json, String key, @Nullable TargetModules m) {
        if (m == null) {
            json.putNull(key);
        } else if (m.regex() != null) {
            json.put(key, m.regex());
        } else {
            m.names().forEach(json.putArray(key)::add);
        }
    }

    /** {@code ia3_l}: (1, d_in) for a feed-forward target, else (d_out, 1). */
    @Override
    public List<AdapterTensor> tensors(AdapterPlan plan, AdapterTarget t) {
        boolean ff = ((Ia3Config) plan.config()).isFeedforward(t.path());
        return List.of(new AdapterTensor("ia3_l", ff ? new long[] {1, t.dIn()} : new long[] {t.dOut(), 1}));
    }

    @Override
    public AdapterLayer wrap(AdapterPlan plan, Linear base, AdapterTarget t, Map<String, List<AdapterWeight>> shared,
            SplittableRandom rng) {
        Ia3Config c = (Ia3Config) plan.config();
        boolean ff = c.isFeedforward(t.path());
        long[] shape = ff ? new long[] {1, t.dIn()} : new long[] {t.dOut(), 1};
        Tensor l = c.initIa3Weights() ? Tensor.full(1f, shape) : Tensor.randn(rng, shape);
        return new Ia3Linear(base, l, ff);
    }

    @Override
    public Tensor deltaW(AdapterPlan plan, AdapterTarget t, Tensor w, List<Tensor> tensors) {
        return deltaW(w, tensors.get(0));
    }

    @Override
    public @Nullable Tensor mergedBias(AdapterPlan plan, AdapterTarget t, Tensor bias, List<Tensor> tensors) {
        return ((Ia3Config) plan.config()).isFeedforward(t.path()) ? null : scaledBias(bias, tensors.get(0));
    }

    /**
     * ΔW = W ⊙ l − W in float32 (l (1, d_in) scales columns, (d_out, 1) rows), without autograd.
     * @param w (d_out, d_in), any float dtype
     */
    static Tensor deltaW(Tensor w, Tensor l) {
        try (var g = Grad.disabled(); Tensor w32 = w.to(DType.F32); Tensor scaled = w32.mul(l)) {
            return scaled.sub(w32);
        }
    }

    /** b ⊙ l (d_out) in float32, for an output scale l (d_out, 1). */
    static Tensor scaledBias(Tensor bias, Tensor l) {
        try (var g = Grad.disabled(); Tensor b32 = bias.to(DType.F32); Tensor flat = l.reshape(bias.size(0))) {
            return b32.mul(flat);
        }
    }
}
