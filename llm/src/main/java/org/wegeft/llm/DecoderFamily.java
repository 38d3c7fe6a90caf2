package org.wegeft.llm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.wegeft.kernels.DType;
import org.wegeft.nn.ConfigFields;
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
