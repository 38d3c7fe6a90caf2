package org.wegeft.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.wegeft.llm.data.Example;
import org.wegeft.llm.eval.Perplexity;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.testing.TensorFixtures;

/**
 * The rope_scaling types yarn, dynamic and longrope against tools/fixtures/make_phi3_fixtures.py's PyTorch
 * reference: logits to 1e-5 relative, mean NLL to 1e-4, including sequences past the original context.
 */
class RopeScalingParityTest {
    static final double TOL = 1e-5;
    static final double NLL_TOL = 1e-4;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"llama_yarn", "llama_yarn_mscale", "llama_dynamic", "phi3_longrope", "phi3_plain"})
    void logitsAndNllMatchPyTorch(String name) {
        Map<String, Tensor> io = LlmFixtures.tensors(name + "/io.safetensors");
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path(name)); Grad.Mode off = Grad.disabled()) {
            assertLogits(model, io, "ids", "logits", name);
            if (io.containsKey("short_ids")) {        // the short tables again after a long forward, then long again
                assertLogits(model, io, "short_ids", "short_logits", name + " short");
                assertLogits(model, io, "ids", "logits", name + " long again");
            }
            double nll = meanNll(model, io.get("ids"));
            double expected = io.get("nll").toFloatArray()[0];
            System.out.printf("parity %-18s nll %.7f vs %.7f (|diff| %.3g)%n", name, nll, expected,
                    Math.abs(nll - expected));
            assertEquals(expected, nll, NLL_TOL, name + ": mean NLL");
        } finally {
            io.values().forEach(Tensor::close);
        }
    }

    static void assertLogits(CausalLM model, Map<String, Tensor> io, String ids, String logits, String what) {
        try (Tensor ours = model.forward(io.get(ids))) {
            double err = TensorFixtures.maxRelError(ours, io.get(logits));
            System.out.printf("parity %-24s max rel error %.3g%n", what, err);
            assertTrue(err <= TOL, what + ": max relative error " + err);
        }
    }

    /** The mean next-token NLL over every row of ids, as {@code llm perplexity} computes it. */
    static double meanNll(CausalLM model, Tensor ids) {
        int b = (int) ids.size(0);
        int t = (int) ids.size(1);
        int[] all = ids.toIntArray();
        List<Example> rows = new ArrayList<>();
        for (int r = 0; r < b; r++) {
            rows.add(Example.of(java.util.Arrays.copyOfRange(all, r * t, (r + 1) * t)));
        }
        return Perplexity.evaluate((x, mask) -> model.forward(x, mask, null, null), rows, 2, 0).nll();
    }

    @Test
    void scaledTablesDifferFromTheUnscaledOnes() {
        // a broken scaling that left the frequencies alone would still pass parity where they barely matter
        try (CausalLM yarn = CausalLM.fromPretrained(LlmFixtures.path("llama_yarn"))) {
            float[] scaled = yarn.ropeInvFreq();
            float[] plain = RotaryEmbedding.baseInvFreq(16, 10000.0);
            assertEquals(plain[0], scaled[0], 0f, "yarn keeps the fastest frequency");
            assertTrue(scaled[7] < plain[7] / 3.9f, "yarn interpolates the slowest by the factor 4");
        }
        RopeScaling longrope = DecoderConfig.read(LlmFixtures.path("phi3_longrope")).ropeScaling();
        LongRope l = assertInstanceOf(LongRope.class, longrope);
        assertEquals(Math.sqrt(1 + Math.log(8) / Math.log(16)), l.attentionFactor(), 1e-12);
        assertFalse(java.util.Arrays.equals(l.invFreq(12, 1e4, 16), l.invFreq(12, 1e4, 17)), "short → long at 17");
        DynamicNtkRope d = (DynamicNtkRope) DecoderConfig.read(LlmFixtures.path("llama_dynamic")).ropeScaling();
        assertArrayEquals(RotaryEmbedding.baseInvFreq(16, 1e4), d.invFreq(16, 1e4, 16));
        assertTrue(d.invFreq(16, 1e4, 24)[1] < d.invFreq(16, 1e4, 16)[1], "a longer sequence slows the frequencies");
    }

    @Test
    void yarnAttentionFactorFollowsMscales() {
        YarnRope y = (YarnRope) DecoderConfig.read(LlmFixtures.path("llama_yarn")).ropeScaling();
        assertEquals(0.1 * Math.log(4) + 1, y.attentionFactor(), 1e-12);
        YarnRope m = (YarnRope) DecoderConfig.read(LlmFixtures.path("llama_yarn_mscale")).ropeScaling();
        assertEquals((0.1 * Math.log(8) + 1) / (0.05 * Math.log(8) + 1), m.attentionFactor(), 1e-12);
        assertFalse(m.truncate());
    }

    @Test
    void savedScaledConfigsReadBackEqual() throws IOException {
        for (String name : List.of("llama_yarn", "llama_yarn_mscale", "llama_dynamic", "phi3_longrope")) {
            DecoderConfig c = DecoderConfig.read(LlmFixtures.path(name));
            Path f = tmp.resolve(name + ".json");
            c.write(f);
            assertEquals(c, DecoderConfig.read(f), name);
        }
    }

    @Test
    void dynamicGenerationWithCacheEqualsWithoutWithinTheOriginalContext() {
        // up to max_position_embeddings (16) the tables never change, so cached keys stay valid
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path("llama_dynamic"))) {
            GenerationConfig g = GenerationConfig.greedy(12, List.of());
            int[] prompt = {5, 17, 3, 99};
            assertArrayEquals(new Generator(model).generate(prompt, g.withUseCache(false), null),
                    new Generator(model).generate(prompt, g, null));
        }
    }

    /**
     * Past max_position_embeddings a KV-cached run keeps each key as it was rotated when cached (the tables of a
     * shorter sequence), as Hugging Face's cache does: the reference's cached run, not its full forward.
     */
    @Test
    void dynamicCachedRunAcrossTheOriginalContextMatchesHuggingFacesCache() {
        Map<String, Tensor> io = LlmFixtures.tensors("llama_dynamic/io.safetensors");
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path("llama_dynamic"));
             Grad.Mode off = Grad.disabled(); KvCache cache = model.newCache(1, 24);
             Tensor row = io.get("ids").narrow(0, 0, 1)) {
            Tensor expected = io.get("step_logits");                                        // (13, V)
            double worst = 0;
            for (int step = 0; step < expected.size(0); step++) {
                int from = step == 0 ? 0 : 11 + step;
                int len = step == 0 ? 12 : 1;
                try (Tensor ids = row.narrow(1, from, len).contiguous();
                     Tensor last = model.forwardLast(ids, null, null, cache);              // (1, V)
                     Tensor want = expected.narrow(0, step, 1)) {
                    worst = Math.max(worst, TensorFixtures.maxRelError(last, want));
                }
            }
            System.out.printf("parity llama_dynamic cached steps max rel error %.3g%n", worst);
            assertTrue(worst <= TOL, "cached run: " + worst);
        } finally {
            io.values().forEach(Tensor::close);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "rope_scaling.factor | {\"rope_type\": \"yarn\", \"factor\": -2}",
        "rope_scaling.beta_fast | {\"rope_type\": \"yarn\", \"factor\": 2, \"beta_fast\": \"x\"}",
        "rope_scaling.truncate | {\"rope_type\": \"yarn\", \"factor\": 2, \"truncate\": 1}",
        "rope_scaling.factor | {\"rope_type\": \"dynamic\"}",
        "rope_scaling.short_factor | {\"rope_type\": \"longrope\", \"long_factor\": [1, 1, 1, 1]}",
        "rope_scaling.short_factor | {\"rope_type\": \"longrope\", \"short_factor\": [1, 1],"
                + " \"long_factor\": [1, 1]}",
        "rope_scaling.long_factor | {\"rope_type\": \"longrope\", \"short_factor\": [1, 1, 1, 1],"
                + " \"long_factor\": [1, 1, 1, 0]}"})
    void badScalingValuesNameFileAndKey(String key, String value) throws IOException {
        String json = Files.readString(LlmFixtures.path("llama_untied").resolve("config.json"));
        DecoderConfigException e = rejected(tmp.resolve("config.json"),
                json.replaceFirst("\"rope_scaling\": null", "\"rope_scaling\": " + value));
        assertEquals(key, e.key(), e.getMessage());
    }

    /** The exception reading {@code json} written to {@code file} raises; its message names the file. */
    static DecoderConfigException rejected(Path file, String json) throws IOException {
        Files.writeString(file, json);
        DecoderConfigException e = assertThrows(DecoderConfigException.class, () -> DecoderConfig.read(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        return e;
    }
}
