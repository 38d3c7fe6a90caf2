package org.wegeft.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.wegeft.llm.data.Example;
import org.wegeft.llm.eval.Perplexity;
import org.wegeft.nn.Linear;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.testing.TensorFixtures;

/**
 * Qwen3, Mistral with a sliding window and Qwen2 with sliding layers against the plain-PyTorch reference of
 * tools/fixtures/make_decoder_family_fixtures.py: logits over 24 tokens (three times the window of 8), the mean
 * token NLL as {@code llm perplexity} computes it, and a left-padded batch.
 */
class DecoderFamilyParityTest {
    static final double LOGITS_TOL = 1e-5;
    static final double NLL_TOL = 1e-4;
    static final int NLL_SHORT = 20;    // row 1's length in the reference's NLL
    static final int PAD = 5;           // left padding of row 0 in the padded batch
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"qwen3_tied", "qwen3_untied", "mistral_window", "qwen2_window"})
    void logitsMatchPyTorch(String name) {
        Map<String, Tensor> io = LlmFixtures.tensors(name + "/io.safetensors");
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path(name));
             Grad.Mode off = Grad.disabled(); Tensor logits = model.forward(io.get("ids"))) {
            double err = TensorFixtures.maxRelError(logits, io.get("logits"));
            System.out.printf("parity %-14s logits max rel error %.3g%n", name, err);
            assertTrue(err <= LOGITS_TOL, name + ": max relative error " + err);
        } finally {
            io.values().forEach(Tensor::close);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen3_tied", "qwen3_untied", "mistral_window", "qwen2_window"})
    void meanNllMatchesPyTorch(String name) {
        Map<String, Tensor> io = LlmFixtures.tensors(name + "/io.safetensors");
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path(name))) {
            int[] ids = io.get("ids").toIntArray();
            int t = ids.length / 2;
            // row 1 shorter: the batch is right-padded, as llm perplexity pads records of different lengths
            List<Example> examples = List.of(Example.of(java.util.Arrays.copyOfRange(ids, 0, t)),
                    Example.of(java.util.Arrays.copyOfRange(ids, t, t + NLL_SHORT)));
            double nll = Perplexity.evaluate((x, mask) -> model.forward(x, mask, null, null), examples, 2, 0).nll();
            double expected = io.get("nll").toFloatArray()[0];
            System.out.printf("parity %-14s NLL %.6f vs %.6f, |diff| %.3g%n", name, nll, expected,
                    Math.abs(nll - expected));
            assertEquals(expected, nll, NLL_TOL, name);
        } finally {
            io.values().forEach(Tensor::close);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen3_untied", "mistral_window", "qwen2_window"})
    void leftPaddedSlidingBatchMatchesPyTorchOnRealTokens(String name) {
        Map<String, Tensor> io = LlmFixtures.tensors(name + "/io.safetensors");
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path(name));
             Grad.Mode off = Grad.disabled();
             Tensor positions = CausalLM.positionsFromMask(io.get("pad_mask"));
             Tensor logits = model.forward(io.get("pad_ids"), io.get("pad_mask"), positions, null)) {
            assertArrayEquals(io.get("pad_positions").toIntArray(), positions.toIntArray());
            long t = logits.size(1);
            try (Tensor ours0 = logits.select(0, 0); Tensor real0 = ours0.narrow(0, PAD, t - PAD);
                 Tensor theirs0 = io.get("pad_logits").select(0, 0); Tensor ref0 = theirs0.narrow(0, PAD, t - PAD);
                 Tensor ours1 = logits.select(0, 1); Tensor ref1 = io.get("pad_logits").select(0, 1)) {
                double err = Math.max(TensorFixtures.maxRelError(real0, ref0), TensorFixtures.maxRelError(ours1, ref1));
                System.out.printf("parity %-14s padded batch max rel error %.3g%n", name, err);
                assertTrue(err <= LOGITS_TOL, name + ": max relative error " + err);
            }
        } finally {
            io.values().forEach(Tensor::close);
        }
    }

    @Test
    void qwen3HasPerHeadQkNormsItsOwnHeadDimAndATiedHead() {
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path("qwen3_tied"))) {
            DecoderConfig c = model.config();
            assertEquals(16, c.headDim());
            assertEquals(32, c.hiddenSize());
            Map<String, Tensor> p = model.namedParameters();
            assertArrayEquals(new long[] {16}, p.get("model.layers.1.self_attn.q_norm.weight").shape());
            assertArrayEquals(new long[] {16}, p.get("model.layers.1.self_attn.k_norm.weight").shape());
            assertArrayEquals(new long[] {64, 32}, p.get("model.layers.0.self_attn.q_proj.weight").shape());
            assertNull(p.get("model.layers.0.self_attn.q_proj.bias"));
            assertSame(model.model().embedTokens().weight(), ((Linear) model.lmHead()).weight());
            assertFalse(c.slides());
        }
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path("qwen3_untied"))) {
            Map<String, Tensor> p = model.namedParameters();
            assertTrue(p.containsKey("model.layers.0.self_attn.o_proj.bias"), "attention_bias: o_proj too");
            assertTrue(p.containsKey("lm_head.weight"));
        }
    }

    @Test
    void slidingLayersFollowEachFamilysRule() {
        List<String> fullThenSliding = List.of(DecoderConfig.FULL_ATTENTION, DecoderConfig.SLIDING_ATTENTION);
        DecoderConfig qwen2 = DecoderConfig.read(LlmFixtures.path("qwen2_window"));     // no layer_types in the file
        assertEquals(fullThenSliding, qwen2.layerTypes());
        assertEquals(8, qwen2.slidingWindow());
        assertNull(qwen2.window(0));
        assertEquals(fullThenSliding, DecoderConfig.read(LlmFixtures.path("qwen3_untied")).layerTypes());
        DecoderConfig mistral = DecoderConfig.read(LlmFixtures.path("mistral_window"));
        assertEquals(List.of(DecoderConfig.SLIDING_ATTENTION, DecoderConfig.SLIDING_ATTENTION), mistral.layerTypes());
        assertNull(DecoderConfig.read(LlmFixtures.path("qwen3_tied")).slidingWindow());
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen3_tied", "qwen3_untied", "mistral_window", "qwen2_window"})
    void configWritesAndReadsBackEqual(String name) throws IOException {
        DecoderConfig c = DecoderConfig.read(LlmFixtures.path(name));
        Path f = tmp.resolve("config.json");
        c.write(f);
        assertEquals(c, DecoderConfig.read(f));
        DecoderConfig noWindow = c.withLayerTypes(null, DecoderConfigJson.all(c.numHiddenLayers(),
                DecoderConfig.FULL_ATTENTION));
        noWindow.write(f);
        assertEquals(noWindow, DecoderConfig.read(f));
    }

    @ParameterizedTest(name = "{0}: {1} = {2}")
    @CsvSource(delimiter = '|', value = {
        "qwen3_untied   | head_dim           | \"wide\"",
        "qwen3_untied   | head_dim           | 15",
        "qwen3_untied   | use_sliding_window | \"yes\"",
        "qwen3_untied   | max_window_layers  | 1.5",
        "qwen3_untied   | sliding_window     | 0",
        "qwen3_untied   | attention_bias     | \"no\"",
        "qwen3_untied   | layer_types        | [\"full_attention\", \"global\"]",
        "qwen2_window   | sliding_window     | \"8\"",
        "mistral_window | sliding_window     | -4",
        "mistral_window | layer_types        | [\"sliding_attention\"]"})
    void badConfigValuesNameFileAndKey(String fixture, String key, String value) throws IOException {
        ObjectNode o = fixtureConfig(fixture);
        o.set(key, JSON.readTree(value));
        LlmFixtures.assertConfigRefused(written(o), key);
    }

    @Test
    void qwen3KeysAbsentFromConfigTakeQwen3ConfigsDefaults() throws IOException {
        ObjectNode o = fixtureConfig("qwen3_tied");
        o.remove(List.of("head_dim", "vocab_size", "intermediate_size", "max_position_embeddings"));
        DecoderConfig c = DecoderConfig.read(written(o));
        assertEquals(128, c.headDim(), "head_dim 128 whatever hidden_size / num_attention_heads");
        assertEquals(151_936, c.vocabSize());
        assertEquals(22_016, c.intermediateSize());
        assertEquals(32_768, c.maxPositionEmbeddings());
    }

    @Test
    void mistralWithoutSlidingWindowKeyUsesTheDefaultAndNullMeansFullAttention() throws IOException {
        ObjectNode o = fixtureConfig("mistral_window");
        o.remove("sliding_window");
        assertEquals(4096, DecoderConfig.read(written(o)).slidingWindow());
        o.putNull("sliding_window");
        assertFalse(DecoderConfig.read(written(o)).slides());
    }

    private static ObjectNode fixtureConfig(String fixture) throws IOException {
        return (ObjectNode) JSON.readTree(LlmFixtures.path(fixture).resolve("config.json").toFile());
    }

    /** {@code o} as tmp/config.json. */
    private Path written(ObjectNode o) throws IOException {
        Path f = tmp.resolve("config.json");
        Files.writeString(f, JSON.writeValueAsString(o));
        return f;
    }
}
