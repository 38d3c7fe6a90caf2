package org.wegeft.llm;

import org.wegeft.nn.ConfigFields;

/** Mistral ({@code model_type} "mistral"): LLaMA's blocks, every layer attending within {@code sliding_window}. */
final class MistralFamily implements DecoderFamily {
    @Override
    public String modelType() {
        return "mistral";
    }

    @Override
    public String architecture() {
        return "MistralForCausalLM";
    }

    @Override
    public DecoderConfig read(ConfigFields r) {
        DecoderConfig c = DecoderConfigJson.common(r);
        Integer window = r.optionalInt("sliding_window");
        int n = c.numHiddenLayers();
        return c.withLayerTypes(window, DecoderConfigJson.layerTypes(r, DecoderConfigJson.all(n,
                window == null ? DecoderConfig.FULL_ATTENTION : DecoderConfig.SLIDING_ATTENTION)));
    }

    @Override
    public DecoderLayer layer(String prefix, int index, DecoderConfig c, WeightSource w) {
        return new LlamaDecoderLayer(prefix, c, AttentionOptions.of(c, index, c.attentionBias()), false, w);
    }
}
