package org.wegeft.llm;

import org.wegeft.nn.ConfigFields;

/** Llama 2 and 3 ({@code model_type} "llama"; SmolLM and many others use this layout): every layer full attention. */
final class LlamaFamily implements DecoderFamily {
    @Override
    public String modelType() {
        return "llama";
    }

    @Override
    public String architecture() {
        return "LlamaForCausalLM";
    }

    @Override
    public DecoderConfig read(ConfigFields r) {
        return DecoderConfigJson.common(r);
    }

    @Override
    public DecoderLayer layer(String prefix, int index, DecoderConfig c, WeightSource w) {
        return new LlamaDecoderLayer(prefix, c, AttentionOptions.of(c, index, c.attentionBias()), false, w);
    }
}
