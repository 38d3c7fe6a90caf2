package org.wegeft.llm;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
        // absent means MistralConfig's default 4096; an explicit null means full attention (Mistral v0.2 and later)
        Integer window = r.root().has("sliding_window") ? r.optionalInt("sliding_window") : Integer.valueOf(4096);
        int n = c.numHiddenLayers();
        return c.withLayerTypes(window, DecoderConfigJson.layerTypes(r, DecoderConfigJson.all(n,
                window == null ? DecoderConfig.FULL_ATTENTION : DecoderConfig.SLIDING_ATTENTION)));
    }

    @Override
    public void write(DecoderConfig c, ObjectNode o) {
        if (c.slidingWindow() == null) {
            o.putNull("sliding_window");     // absent would read back as the default window
        }
    }

    @Override
    public DecoderLayer layer(String prefix, int index, DecoderConfig c, WeightSource w) {
        return new LlamaDecoderLayer(prefix, c, AttentionOptions.of(c, index, c.attentionBias()), false, w);
    }
}
