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
import org.wegeft.llm.RopeScaling;
import org.wegeft.tensor.TensorInfo;

/**
 * The qwen3-0.6b and llama-8b presets have Qwen3-0.6B's and Llama-3.1-8B's shapes. The real models are not built
 * here: Qwen3's count comes from a formula over the config, the formula checked against a small Qwen3 that is built;
 * llama-8b's from the tensor list a random folder of it would hold.
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
    void llama8bPresetHasLlama31EightBsShapes() {
        BenchModel m = BenchModel.parse("--model", "llama-8b");
        assertEquals(BenchModel.LLAMA_8B, m);
        assertTrue(m.isLlm());
        assertEquals(1, m.defaultBatch());
        DecoderConfig c = m.llamaConfig();
        assertEquals("llama", c.modelType());
        assertEquals(128_256, c.vocabSize());
        assertEquals(4_096, c.hiddenSize());
        assertEquals(14_336, c.intermediateSize());
        assertEquals(32, c.numHiddenLayers());
        assertEquals(32, c.numAttentionHeads());
        assertEquals(8, c.numKeyValueHeads());
        assertEquals(128, c.headDim());
        assertFalse(c.tieWordEmbeddings());
        assertEquals(500_000.0, c.ropeTheta());
        assertEquals(RopeScaling.llama3(8, 1, 4, 8_192), c.ropeScaling());
        assertEquals(1e-5, c.rmsNormEps());
        assertEquals(m.width, c.hiddenSize());
        assertEquals(m.depth, c.numHiddenLayers());
        assertEquals(m.heads, c.numAttentionHeads());
        // the tensors a make-model folder would hold, from the config alone (nothing is allocated)
        List<TensorInfo> t = RandomLlamaFolder.tensors(c, DType.BF16);
        assertEquals(8_030_261_248L, t.stream().mapToLong(TensorInfo::elements).sum());
        assertEquals(1 + 32 * 9 + 1 + 1, t.size(), "embed_tokens, 9 a layer, norm and an untied lm_head");
        assertTrue(t.stream().anyMatch(x -> x.name().equals("lm_head.weight")));
    }

    @Test
    void randomFoldersRefuseTheQwen3Layout() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RandomLlamaFolder.tensors(BenchModel.QWEN3_0_6B.llamaConfig(), DType.BF16));
        assertTrue(e.getMessage().contains("qwen3"), e.getMessage());
    }
}
