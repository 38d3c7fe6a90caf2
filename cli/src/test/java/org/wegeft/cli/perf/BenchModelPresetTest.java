package org.wegeft.cli.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.wegeft.kernels.DType;
import org.wegeft.llm.CausalLM;
import org.wegeft.llm.DecoderConfig;

/**
 * The qwen3-0.6b preset has Qwen3-0.6B's shapes. The real model (0.6 B parameters) is not built here: its count
 * comes from a formula over the config, the formula checked against a small Qwen3 that is built.
 */
class BenchModelPresetTest {
    /** Parameters of a Qwen3 decoder without biases: q/k/v/o, per-head q/k norms, SwiGLU MLP, two norms a layer. */
    private static long qwen3Parameters(DecoderConfig c) {
        long h = c.hiddenSize();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long attention = h * q + 2 * h * kv + q * h + 2L * c.headDim();
        long mlp = 3 * h * c.intermediateSize();
        long layer = attention + mlp + 2 * h;
        long embeddings = (long) c.vocabSize() * h;
        return embeddings + c.numHiddenLayers() * layer + h + (c.tieWordEmbeddings() ? 0 : embeddings);
    }

    @Test
    void parameterFormulaCountsABuiltQwen3() {
        // head_dim 16 over a width of 32 with 4 heads, as Qwen3-0.6B's 128 over 1,024 with 16 heads
        DecoderConfig tied = new DecoderConfig("qwen3", 96, 32, 48, 3, 4, 2, 16, 128, 1e-6, 1e6, null, true, false,
                false, "silu", List.of(), List.of(), null, "float32", 0.02);
        for (DecoderConfig c : List.of(tied, tied.withTieWordEmbeddings(false))) {
            try (CausalLM m = new CausalLM(c, 1, DType.F32)) {
                assertEquals(qwen3Parameters(c), m.parameterCount(), "tied " + c.tieWordEmbeddings());
                assertTrue(m.namedParameters().containsKey("model.layers.2.self_attn.k_norm.weight"));
            }
        }
    }

    @Test
    void qwen3PresetHasQwen3ZeroSixBsShapes() {
        BenchModel m = BenchModel.parse("--model", "qwen3-0.6b");
        assertEquals(BenchModel.QWEN3_0_6B, m);
        assertTrue(m.isLlm());
        assertEquals(1, m.defaultBatch());
        DecoderConfig c = m.llamaConfig();
        assertEquals("qwen3", c.modelType());
        assertEquals(151_936, c.vocabSize());
        assertEquals(1_024, c.hiddenSize());
        assertEquals(3_072, c.intermediateSize());
        assertEquals(28, c.numHiddenLayers());
        assertEquals(16, c.numAttentionHeads());
        assertEquals(8, c.numKeyValueHeads());
        assertEquals(128, c.headDim());
        assertTrue(c.tieWordEmbeddings());
        assertEquals(1e6, c.ropeTheta());
        assertNull(c.ropeScaling());
        assertEquals(1e-6, c.rmsNormEps());
        assertFalse(c.attentionBias());
        assertFalse(c.slides());
        // 0.44 B without the embedding table, as the model card says
        assertEquals(596_049_920L, qwen3Parameters(c));
        assertEquals(440_467_456L, qwen3Parameters(c) - 151_936L * 1_024);
        assertEquals(m.width, c.hiddenSize());
        assertEquals(m.depth, c.numHiddenLayers());
        assertEquals(m.heads, c.numAttentionHeads());
    }

    @Test
    void randomFoldersRefuseTheQwen3Layout() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RandomLlamaFolder.tensors(BenchModel.QWEN3_0_6B.llamaConfig(), DType.BF16));
        assertTrue(e.getMessage().contains("qwen3"), e.getMessage());
    }
}
