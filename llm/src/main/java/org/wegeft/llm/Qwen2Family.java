package org.wegeft.llm;

import java.util.ArrayList;
import java.util.List;
import org.wegeft.nn.ConfigFields;

/**
 * Qwen2 and Qwen2.5 ({@code model_type} "qwen2"): LLaMA's blocks with biases on q/k/v (never on o); with
 * {@code use_sliding_window}, layers from {@code max_window_layers} on attend within {@code sliding_window}.
 */
final class Qwen2Family implements DecoderFamily {
    @Override
    public String modelType() {
        return "qwen2";
    }

    @Override
    public String architecture() {
        return "Qwen2ForCausalLM";
    }

    @Override
    public DecoderConfig read(ConfigFields r) {
        DecoderConfig c = DecoderConfigJson.common(r).withAttentionBias(true);
        return slidingLayers(c, r);
    }

    /** Qwen's rule: with use_sliding_window, layers i ≥ max_window_layers slide (unless layer_types says). */
    static DecoderConfig slidingLayers(DecoderConfig c, ConfigFields r) {
        int n = c.numHiddenLayers();
        Integer window = r.bool("use_sliding_window", false) ? r.optionalInt("sliding_window") : null;
        int from = r.integer("max_window_layers", 28);
        List<String> types = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            types.add(window != null && i >= from ? DecoderConfig.SLIDING_ATTENTION : DecoderConfig.FULL_ATTENTION);
        }
        List<String> given = DecoderConfigJson.layerTypes(r, types);
        return c.withLayerTypes(given.contains(DecoderConfig.SLIDING_ATTENTION) ? window : null, given);
    }

    @Override
    public void write(DecoderConfig c, com.fasterxml.jackson.databind.node.ObjectNode o) {
        o.put("use_sliding_window", c.slides());
    }

    @Override
    public DecoderLayer layer(String prefix, int index, DecoderConfig c, WeightSource w) {
        return new LlamaDecoderLayer(prefix, c, AttentionOptions.of(c, index, false), false, w);
    }
}
