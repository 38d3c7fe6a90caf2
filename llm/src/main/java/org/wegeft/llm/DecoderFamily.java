package org.wegeft.llm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.wegeft.kernels.DType;
import org.wegeft.nn.ConfigFields;
import org.wegeft.nn.ConfigSizes;
import org.wegeft.nn.Layer;

/**
 * One decoder architecture, found by its {@code config.json} {@code model_type} in {@link DecoderFamilies}: how
 * its config reads and writes, and the blocks its layers are made of. Families share blocks where the math is the
 * same (Mistral and the Qwens build {@link LlamaDecoderLayer}s); module names are Hugging Face's, so checkpoints
 * load by name and adapters target the same names as in PEFT.
 */
interface DecoderFamily {
    /** {@code model_type}. */
    String modelType();

    /** The class name written to {@code architectures} (e.g. {@code "Qwen3ForCausalLM"}). */
    String architecture();

    /**
     * Reads {@code config.json}: {@link DecoderConfigJson#common} with the family's defaults, plus the keys only this
     * family has. Every bad value names its key.
     */
    DecoderConfig read(ConfigFields r);

    /** Writes the keys only this family has, beside the common ones. */
    default void write(DecoderConfig c, ObjectNode o) {
    }

    /** The {@code rope_scaling} type a {@code rope_type} written in this family's configs means (old aliases). */
    default String ropeType(String written) {
        return written;
    }

    /**
     * The config values that size this family's model, each tied to the checkpoint tensor that carries it; checked
     * against a checkpoint's header before any module is built ({@link CausalLM#fromPretrained}).
     */
    default ConfigSizes sizes(DecoderConfig c) {
        String attn = "model.layers.0.self_attn.";
        return commonSizes(c)
                .dim("num_attention_heads", heads(c.numAttentionHeads(), c), (long) c.numAttentionHeads() * c.headDim(),
                        attn + "q_proj.weight", 0)
                .dim("num_key_value_heads", heads(c.numKeyValueHeads(), c), (long) c.numKeyValueHeads() * c.headDim(),
                        attn + "k_proj.weight", 0);
    }

    /**
     * The sizes every family's checkpoint carries alike: layer count, embedding table, MLP width. One tensor carries
     * each value; a tensor that disagrees with it is a mis-shaped key, which the strict loader names.
     */
    static ConfigSizes commonSizes(DecoderConfig c) {
        return new ConfigSizes()
                .layers("num_hidden_layers", c.numHiddenLayers(), "model.layers.")
                .dim("vocab_size", c.vocabSize(), "model.embed_tokens.weight", 0)
                .dim("hidden_size", c.hiddenSize(), "model.embed_tokens.weight", 1)
                .dim("intermediate_size", c.intermediateSize(), "model.layers.0.mlp.down_proj.weight", 1);
    }

    /** How a head count is shown in a size error: {@code "32 (× head_dim 128 = 4096)"}. */
    static String heads(int count, DecoderConfig c) {
        return count + " (× head_dim " + c.headDim() + " = " + (long) count * c.headDim() + ")";
    }

    /** Block {@code index}, its weights from {@code w} under {@code prefix} (e.g. {@code "model.layers.3."}). */
    DecoderLayer layer(String prefix, int index, DecoderConfig c, WeightSource w);

    /** The final norm (and the norm every block of this family uses). */
    default Layer norm(String path, int dim, DecoderConfig c, WeightSource w) {
        return w.norm(path, dim, c.rmsNormEps());
    }

    /**
     * The factor the token embeddings are multiplied by before the first block (Gemma: √hidden_size).
     * @param table the dtype the embedding table is stored in
     */
    default float embeddingScale(DecoderConfig c, DType table) {
        return 1f;
    }
}
