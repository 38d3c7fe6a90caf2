package org.wegeft.llm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.wegeft.nn.ConfigFields;

/**
 * Qwen3 ({@code model_type} "qwen3"): LLaMA's blocks with {@code q_norm} and {@code k_norm}, an RMSNorm over each
 * head's {@code head_dim} dimensions of q and k before RoPE; {@code head_dim} is its own key (Qwen3-0.6B: 16 heads
 * of 128 over a width of 1024). Biases on q/k/v/o only with {@code attention_bias}; the sliding window follows
 * Qwen2's rule ({@code use_sliding_window}, {@code max_window_layers}).
 */
final class Qwen3Family implements DecoderFamily {
    @Override
    public String modelType() {
        return "qwen3";
    }

    @Override
    public String architecture() {
        return "Qwen3ForCausalLM";
    }

    @Override
    public DecoderConfig read(ConfigFields r) {
        // Qwen3Config's defaults where they differ from Llama's (head_dim is 128 whatever the width)
        ObjectNode withDefaults = (ObjectNode) r.root().deepCopy();
        withDefaults.putIfAbsent("vocab_size", withDefaults.numberNode(151936));
        withDefaults.putIfAbsent("intermediate_size", withDefaults.numberNode(22016));
        withDefaults.putIfAbsent("head_dim", withDefaults.numberNode(128));
        withDefaults.putIfAbsent("max_position_embeddings", withDefaults.numberNode(32768));
        DecoderConfig c = DecoderConfigJson.common(r.with(r.source(), withDefaults));
        return Qwen2Family.slidingLayers(c, r);
    }

    @Override
    public void write(DecoderConfig c, ObjectNode o) {
        o.put("use_sliding_window", c.slides());
    }

    @Override
    public DecoderLayer layer(String prefix, int index, DecoderConfig c, WeightSource w) {
        return new LlamaDecoderLayer(prefix, c, AttentionOptions.of(c, index, c.attentionBias()), true, w);
    }
}
