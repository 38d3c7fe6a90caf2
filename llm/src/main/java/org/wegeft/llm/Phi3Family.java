package org.wegeft.llm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.wegeft.nn.ConfigFields;
import org.wegeft.nn.ConfigSizes;

/**
 * Phi-3 and Phi-4-mini ({@code model_type} "phi3"): LLaMA's pre-norm blocks with the attention's q, k and v in one
 * {@code qkv_proj} and the MLP's gate and up in one {@code gate_up_proj}; {@code partial_rotary_factor} (Phi-4-mini
 * turns 3/4 of each head); LongRoPE scaling; with {@code sliding_window} set, every layer attends within it (as
 * Hugging Face's Phi3Model builds its mask).
 */
final class Phi3Family implements DecoderFamily {
    /** Mistral's keys and window rule (every layer slides when sliding_window is set). */
    private static final MistralFamily MISTRAL = new MistralFamily();

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
        DecoderConfig c = MISTRAL.read(r);            // as Hugging Face's Phi3 derives from Mistral
        return c.withExtras(c.extras().withPartialRotaryFactor(r.number("partial_rotary_factor", 1.0)));
    }

    /** Early Phi-3 configs call LongRoPE "su" or "yarn", as Hugging Face's Phi3Config still accepts. */
    @Override
    public String ropeType(String written) {
        return written.equals("su") || written.equals("yarn") ? "longrope" : written;
    }

    @Override
    public void write(DecoderConfig c, ObjectNode o) {
        o.put("partial_rotary_factor", c.extras().partialRotaryFactor());
        if (c.slidingWindow() == null) {
            o.putNull("sliding_window");
        }
    }

    /** q, k and v share {@code qkv_proj}'s rows; o_proj's columns carry the query heads. */
    @Override
    public ConfigSizes sizes(DecoderConfig c) {
        String attn = "model.layers.0.self_attn.";
        long qkvRows = ((long) c.numAttentionHeads() + 2L * c.numKeyValueHeads()) * c.headDim();
        return DecoderFamily.commonSizes(c)
                .dim("num_attention_heads", DecoderFamily.heads(c.numAttentionHeads(), c),
                        (long) c.numAttentionHeads() * c.headDim(), attn + "o_proj.weight", 1)
                .dim("num_key_value_heads", c.numKeyValueHeads() + " (q, k and v rows: (" + c.numAttentionHeads()
                        + " + 2 × " + c.numKeyValueHeads() + ") × head_dim " + c.headDim() + " = " + qkvRows + ")",
                        qkvRows, attn + "qkv_proj.weight", 0);
    }

    @Override
    public DecoderLayer layer(String prefix, int index, DecoderConfig c, WeightSource w) {
        return new Phi3DecoderLayer(prefix, c, AttentionOptions.of(c, index, false), w);
    }
}
