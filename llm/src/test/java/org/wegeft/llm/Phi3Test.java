package org.wegeft.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;

/**
 * Phi-3 ({@code model_type} "phi3") against tools/fixtures/make_phi3_fixtures.py: config reading, greedy
 * generation (with the KV cache, without it, and the reference's), bad config values. Logits and NLL parity are in
 * {@link RopeScalingParityTest}.
 */
class Phi3Test {
    @TempDir
    Path tmp;

    @Test
    void configReadsFusedLayoutPartialRotaryAndWindow() {
        DecoderConfig plain = DecoderConfig.read(LlmFixtures.path("phi3_plain"));
        assertEquals(8, plain.slidingWindow());
        assertEquals(List.of(DecoderConfig.SLIDING_ATTENTION, DecoderConfig.SLIDING_ATTENTION), plain.layerTypes());
        DecoderConfig lr = DecoderConfig.read(LlmFixtures.path("phi3_longrope"));
        assertEquals(0.75, lr.extras().partialRotaryFactor());
        assertEquals(12, lr.rotaryDim());
        assertEquals(null, lr.slidingWindow());
        try (CausalLM m = CausalLM.fromPretrained(LlmFixtures.path("phi3_plain"))) {
            var layer = (Phi3DecoderLayer) m.layers().get(0);
            assertArrayEquals(new long[] {(4 + 2 * 2) * 8, 32},
                    ((org.wegeft.nn.Linear) layer.selfAttn().qkvProj()).weight().shape());
            assertArrayEquals(new long[] {2 * 64, 32},
                    ((org.wegeft.nn.Linear) layer.mlp().gateUpProj()).weight().shape());
            assertTrue(m.namedParameters().containsKey("model.layers.1.self_attn.qkv_proj.weight"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"su", "yarn"})
    void earlyPhi3RopeTypeNamesMeanLongRope(String written) throws IOException {
        String json = Files.readString(LlmFixtures.path("phi3_longrope").resolve("config.json"));
        Path f = tmp.resolve("config.json");
        Files.writeString(f, json.replace("\"type\": \"longrope\"", "\"type\": \"" + written + "\""));
        assertEquals(DecoderConfig.read(LlmFixtures.path("phi3_longrope")).ropeScaling(),
                DecoderConfig.read(f).ropeScaling());
    }

    /** Past the sliding window (phi3_plain: 8 + 64 tokens, window 8) and across LongRoPE's switch (10 + 64, 16). */
    @ParameterizedTest
    @ValueSource(strings = {"phi3_plain", "phi3_longrope"})
    void greedyWithCacheEqualsWithoutAndTheReference(String name) {
        Map<String, Tensor> io = LlmFixtures.tensors(name + "/io.safetensors");
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path(name))) {
            int[] prompt = io.get("gen_prompt").toIntArray();
            GenerationConfig g = GenerationConfig.greedy(64, List.of());
            int[] cached = new Generator(model).generate(prompt, g, null);
            int[] full = new Generator(model).generate(prompt, g.withUseCache(false), null);
            assertEquals(64, cached.length);
            assertArrayEquals(full, cached, name + ": cached generation");
            assertArrayEquals(io.get("gen_tokens").toIntArray(), full, name + ": PyTorch's greedy tokens");
        } finally {
            io.values().forEach(Tensor::close);
        }
    }

    @Test
    void longRopeCacheFilledShortIsDroppedOnceThePastTheSwitch() {
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path("phi3_longrope"))) {
            assertTrue(model.cacheGoesStale(16, 17), "16 cached short-rotated keys, 17th token: long tables");
            assertTrue(!model.cacheGoesStale(17, 18), "keys cached at 17 were rotated long already");
            assertTrue(!model.cacheGoesStale(10, 16), "still within the original context");
        }
        try (CausalLM plain = CausalLM.fromPretrained(LlmFixtures.path("phi3_plain"))) {
            assertTrue(!plain.cacheGoesStale(16, 17), "no rope scaling: the cache stays");
        }
    }

    @Test
    void savedModelLoadsBackWithTheSameLogits() throws IOException {
        Map<String, Tensor> io = LlmFixtures.tensors("phi3_longrope/io.safetensors");
        try (CausalLM m = CausalLM.fromPretrained(LlmFixtures.path("phi3_longrope"));
             Grad.Mode off = Grad.disabled()) {
            m.save(tmp.resolve("out"));
            try (CausalLM back = CausalLM.fromPretrained(tmp.resolve("out"));
                 Tensor a = m.forward(io.get("ids")); Tensor b = back.forward(io.get("ids"))) {
                assertEquals(m.config(), back.config());
                assertArrayEquals(a.toFloatArray(), b.toFloatArray());
            }
        } finally {
            io.values().forEach(Tensor::close);
        }
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "partial_rotary_factor | 1.5",
        "partial_rotary_factor | \"half\"",
        "sliding_window | 0",
        "sliding_window | 2.5",
        "original_max_position_embeddings | \"long\"",
        "rope_scaling | {\"type\": \"longrope\", \"short_factor\": [1, 1, 1, 1, 1, 1, 1, 1],"
                + " \"long_factor\": [1, 1, 1, 1, 1, 1, 1, 1]}"})
    void badConfigValuesNameFileAndKey(String key, String value) throws IOException {
        String json = Files.readString(LlmFixtures.path("phi3_longrope").resolve("config.json"));
        String edited = json.replaceFirst("\"" + key + "\": (\\{[^}]*\\}|[^,\\n]*)(,?)\\n",
                "\"" + key + "\": " + java.util.regex.Matcher.quoteReplacement(value) + "$2\n");
        assertTrue(!edited.equals(json), key);
        DecoderConfigException e = RopeScalingParityTest.rejected(tmp.resolve("config.json"), edited);
        assertTrue(e.key().startsWith(key), e.getMessage());
    }
}
