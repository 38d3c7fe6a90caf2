package org.wegeft.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.wegeft.kernels.DType;
import org.wegeft.llm.data.Example;
import org.wegeft.llm.eval.Perplexity;
import org.wegeft.llm.eval.PerplexityResult;
import org.wegeft.nn.Linear;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.testing.TensorFixtures;

/**
 * Tiny random Gemma 2 and Gemma 3 text models written by tools/fixtures/make_gemma_fixtures.py: logits over 24
 * tokens (three times the sliding window of 8) match the plain-PyTorch reference, and so does the mean NLL the
 * perplexity evaluator computes over records longer and shorter than the window, batched with padding.
 */
class GemmaTorchParityTest {
    static final String[] FIXTURES = {"gemma2_tiny", "gemma3_tiny", "gemma3_bf16"};
    private static final double TOL = 1e-5;
    private static final double NLL_TOL = 1e-4;
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"gemma2_tiny", "gemma3_tiny", "gemma3_bf16"})
    void logitsMatchPyTorch(String name) {
        Map<String, Tensor> io = LlmFixtures.tensors(name + "/io.safetensors");
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path(name));
             Grad.Mode off = Grad.disabled(); Tensor logits = model.forward(io.get("ids"))) {
            double err = TensorFixtures.maxRelError(logits, io.get("logits"));
            System.out.printf("parity %-12s max rel error %.3g%n", name, err);
            assertTrue(err <= TOL, name + ": max relative error " + err);
        } finally {
            io.values().forEach(Tensor::close);
        }
    }

    @ParameterizedTest(name = "{0} batch {1}")
    @org.junit.jupiter.params.provider.CsvSource({"gemma2_tiny, 1", "gemma2_tiny, 3", "gemma3_tiny, 1",
        "gemma3_tiny, 3", "gemma3_bf16, 2"})
    void perplexityMatchesTorchNll(String name, int batch) throws IOException {
        JsonNode exp = JSON.readTree(LlmFixtures.path(name + "/nll.json").toFile());
        List<Example> records = new ArrayList<>();
        exp.get("records").forEach(r -> {
            int[] ids = new int[r.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = r.get(i).asInt();
            }
            records.add(Example.of(ids));
        });
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path(name)); Grad.Mode off = Grad.disabled()) {
            PerplexityResult r = Perplexity.evaluate((ids, mask) -> model.forward(ids, mask, null, null), records,
                    batch, 0);
            double diff = Math.abs(r.nll() - exp.get("nll").asDouble());
            System.out.printf("nll %-12s batch %d: %.8f vs torch %.8f (|diff| %.3g)%n", name, batch, r.nll(),
                    exp.get("nll").asDouble(), diff);
            assertEquals(exp.get("tokens").asLong(), r.tokens());
            assertTrue(diff <= NLL_TOL, name + ": NLL differs by " + diff);
        }
    }

    @Test
    void gemma2AlternatesSlidingAndGlobalLayersWithSoftCaps() {
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path("gemma2_tiny"))) {
            DecoderConfig c = model.config();
            assertEquals(List.of(DecoderConfig.SLIDING_ATTENTION, DecoderConfig.FULL_ATTENTION,
                    DecoderConfig.SLIDING_ATTENTION), c.layerTypes());          // derived: even layers slide
            assertEquals(8, c.slidingWindow());
            assertEquals(3.0, c.extras().attnLogitSoftcapping());
            assertEquals(2.0, c.extras().finalLogitSoftcapping());
            assertEquals("gelu_pytorch_tanh", c.hiddenAct());
            AttentionOptions o = AttentionOptions.of(c, 0, false);
            assertEquals((float) (1 / Math.sqrt(16)), o.scale());              // query_pre_attn_scalar, not head_dim
            GemmaDecoderLayer l0 = assertInstanceOf(GemmaDecoderLayer.class, model.layers().get(0));
            assertFalse(l0.selfAttn().namedParameters().containsKey("q_norm.weight"));
            assertTrue(l0.namedParameters().containsKey("post_feedforward_layernorm.weight"));
        }
    }

    @Test
    void gemma3HasQkNormsAndLocalRotaryOnSlidingLayers() {
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path("gemma3_tiny"))) {
            DecoderConfig c = model.config();
            assertEquals(DecoderConfig.FULL_ATTENTION, c.layerTypes().get(2));
            assertEquals(null, c.extras().attnLogitSoftcapping());
            assertEquals(AttentionOptions.LOCAL_ROPE, AttentionOptions.of(c, 0, false).rope());
            assertEquals(AttentionOptions.GLOBAL_ROPE, AttentionOptions.of(c, 2, false).rope());
            GemmaDecoderLayer l0 = assertInstanceOf(GemmaDecoderLayer.class, model.layers().get(0));
            assertTrue(l0.selfAttn().namedParameters().containsKey("q_norm.weight"));
            assertTrue(l0.selfAttn().namedParameters().containsKey("k_norm.weight"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gemma2_tiny", "gemma3_tiny"})
    void embeddingsAreTiedAndNoLmHeadIsStored(String name) {
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path(name))) {
            assertTrue(model.config().tieWordEmbeddings());
            assertSame(model.model().embedTokens().weight(), ((Linear) model.lmHead()).weight());
            assertFalse(model.namedParameters().containsKey("lm_head.weight"));
        }
    }

    /** Hugging Face's normalizer is a tensor of the hidden dtype: √48 in bfloat16 is 6.9375, not 6.928203. */
    @Test
    void embeddingScaleIsRoundedToTheTablesHalfType() {
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path("gemma3_bf16"))) {
            DecoderConfig c = model.config();
            assertEquals(DType.BF16, model.model().embedTokens().weight().dtype());
            assertEquals(6.9375f, c.family().embeddingScale(c, DType.BF16));
            assertEquals((float) Math.sqrt(48), c.family().embeddingScale(c, DType.F32));
            assertNotEquals(c.family().embeddingScale(c, DType.BF16), c.family().embeddingScale(c, DType.F32));
        }
    }

    /** The norms hold Hugging Face's weight (scale − 1): saving writes it back unchanged, reloading gives the same. */
    @Test
    void savedCheckpointHoldsHuggingFacesNormWeightsAndReloadsToTheSameLogits(@TempDir Path tmp) throws IOException {
        Map<String, Tensor> io = LlmFixtures.tensors("gemma3_tiny/io.safetensors");
        Map<String, Tensor> stored = LlmFixtures.tensors("gemma3_tiny/model.safetensors");
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path("gemma3_tiny"))) {
            model.save(tmp);
            Map<String, Tensor> saved = TensorFixtures.tensors(tmp.resolve("model.safetensors"));
            assertEquals(stored.keySet(), saved.keySet());
            for (String k : List.of("model.norm.weight", "model.layers.1.self_attn.q_norm.weight",
                    "model.layers.0.pre_feedforward_layernorm.weight")) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(stored.get(k).toFloatArray(),
                        saved.get(k).toFloatArray(), k);
            }
            saved.values().forEach(Tensor::close);
            try (CausalLM back = CausalLM.fromPretrained(tmp); Grad.Mode off = Grad.disabled();
                 Tensor a = model.forward(io.get("ids")); Tensor b = back.forward(io.get("ids"))) {
                assertEquals(model.config(), back.config());
                org.junit.jupiter.api.Assertions.assertArrayEquals(a.toFloatArray(), b.toFloatArray());
            }
        } finally {
            io.values().forEach(Tensor::close);
            stored.values().forEach(Tensor::close);
        }
    }
}
