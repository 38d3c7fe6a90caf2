package org.wegeft.peft.lora;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.wegeft.nn.ConfigFields;
import org.wegeft.nn.Linear;
import org.wegeft.peft.AdapterConfig;
import org.wegeft.peft.AdapterConfigFields;
import org.wegeft.peft.AdapterFlops;
import org.wegeft.peft.AdapterLayer;
import org.wegeft.peft.AdapterMethod;
import org.wegeft.peft.AdapterTarget;
import org.wegeft.peft.AdapterTensor;
import org.wegeft.peft.AdapterWeight;
import org.wegeft.peft.MethodOptions;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;

/**
 * LoRA as an {@link AdapterMethod}, Hugging Face PEFT's {@code "LORA"}: {@code lora_alpha}, {@code lora_dropout},
 * {@code use_rslora}; {@code lora_A} (r, d_in) and {@code lora_B} (d_out, r) per target; ΔW = s·B A.
 */
public final class LoraMethod implements AdapterMethod {
    private static final Set<String> FIELDS = Set.of("lora_alpha", "lora_dropout", "use_rslora");

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

    @Override
    public AdapterConfig parse(AdapterConfigFields f) {
        ConfigFields c = f.fields();
        return new LoraConfig(f.r(), c.number("lora_alpha", 8.0), c.number("lora_dropout", 0.0), f.targetModules(),
                c.bool("use_rslora", false), f.bias(), f.modulesToSave(), f.layersToTransform(), f.layersPattern(),
                f.extra(FIELDS));
    }

    @Override
    public void write(AdapterConfig config, ObjectNode json) {
        LoraConfig l = (LoraConfig) config;
        AdapterConfigFields.putNumber(json, "lora_alpha", l.loraAlpha());
        json.put("lora_dropout", l.loraDropout());
        json.put("use_rslora", l.useRslora());
    }

    @Override
    public List<AdapterTensor> tensors(AdapterConfig config, AdapterTarget t) {
        return List.of(new AdapterTensor("lora_A.weight", new long[] {config.r(), t.dIn()}),
                new AdapterTensor("lora_B.weight", new long[] {t.dOut(), config.r()}));
    }

    @Override
    public AdapterLayer wrap(AdapterConfig config, Linear base, AdapterTarget t, Map<String, List<AdapterWeight>> shared,
            SplittableRandom rng) {
        return new LoraLinear(base, config.r(), config.scale(), config.dropout(), rng.split());
    }

    @Override
    public Tensor deltaW(AdapterConfig config, Tensor w, List<Tensor> tensors) {
        return deltaW(tensors.get(0), tensors.get(1), config.scale());
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
}
