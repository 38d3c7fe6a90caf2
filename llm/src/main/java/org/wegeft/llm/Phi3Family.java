package org.wegeft.llm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.wegeft.nn.ConfigFields;

/**
 * Phi-3 and Phi-4-mini ({@code model_type} "phi3"): LLaMA's pre-norm blocks with the attention's q, k and v in one
 * {@code qkv_proj} and the MLP's gate and up in one {@code gate_up_proj}; {@code partial_rotary_factor} (Phi-4-mini
 * turns 3/4 of each head); LongRoPE scaling; with {@code sliding_window} set, every layer attends within it (as
 * Hugging Face's Phi3Model builds its mask).
 */
final class Phi3Family implements DecoderFamily {
    @Override
    public String modelType() {
        return "phi3";
    }

    @Override
    public String architecture() {
        return "Phi3ForCausalLM";
    }

    @Override
    public DecoderConfig read(ConfigFields r) {
        DecoderConfig c = DecoderConfigJson.common(r);
        Integer window = r.optionalInt("sliding_window");
        int n = c.numHiddenLayers();
        c = c.withLayerTypes(window, DecoderConfigJson.layerTypes(r, DecoderConfigJson.all(n,
                window == null ? DecoderConfig.FULL_ATTENTION : DecoderConfig.SLIDING_ATTENTION)));
        DecoderConfig.Extras e = c.extras();
        return c.withExtras(new DecoderConfig.Extras(e.queryPreAttnScalar(), e.attnLogitSoftcapping(),
                e.finalLogitSoftcapping(), e.ropeLocalBaseFreq(), r.number("partial_rotary_factor", 1.0)));
    }

    @Override
    public void write(DecoderConfig c, ObjectNode o) {
        o.put("partial_rotary_factor", c.extras().partialRotaryFactor());
        if (c.slidingWindow() == null) {
            o.putNull("sliding_window");
        }
    }

    @Override
    public DecoderLayer layer(String prefix, int index, DecoderConfig c, WeightSource w) {
        return new Phi3DecoderLayer(prefix, c, AttentionOptions.of(c, index, false), w);
    }
}
