package org.wegeft.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.wegeft.kernels.DType;
import org.wegeft.nn.StateDictException;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.SafetensorsWriter;
import org.wegeft.tensor.Storage;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.testing.TensorFixtures;

/** config.json reading, strict checkpoint loading and save → load. */
class LlamaLoadingTest {
    @TempDir
    Path tmp;

    @Test
    void configReadsHuggingFaceFieldsAndRopeScaling() {
        DecoderConfig c = DecoderConfig.read(LlmFixtures.path("llama3_scaled"));
        assertEquals("llama", c.modelType());
        assertEquals(2, c.numKeyValueHeads());
        assertEquals(8, c.headDim());
        assertEquals(500000.0, c.ropeTheta());
        assertEquals(RopeScaling.llama3(8, 1, 4, 16), c.ropeScaling());
        assertTrue(c.tieWordEmbeddings());
        DecoderConfig q = DecoderConfig.read(LlmFixtures.path("qwen2_bias"));
        assertTrue(q.attentionBias());
        assertTrue(q.bosTokenIds().isEmpty());
        try (CausalLM m = CausalLM.fromPretrained(LlmFixtures.path("qwen2_bias"))) {
            LlamaAttention a = ((LlamaDecoderLayer) m.layers().get(0)).selfAttn();
            assertTrue(((org.wegeft.nn.Linear) a.qProj()).bias() != null, "qwen2: q/k/v have biases");
            assertTrue(((org.wegeft.nn.Linear) a.oProj()).bias() == null, "qwen2: o_proj never has one");
        }
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "num_key_value_heads | 3",
        "hidden_act | \"gelu\"",
        "model_type | \"gpt2\"",
        "rms_norm_eps | -1",
        "vocab_size | \"big\"",
        "rope_scaling | {\"rope_type\": \"ntk-by-parts\", \"factor\": 4}",
        "eos_token_id | 1000"})
    void badConfigValuesNameFileAndKey(String key, String value) throws IOException {
        String json = Files.readString(LlmFixtures.path("llama_untied").resolve("config.json"));
        String edited = json.replaceFirst("\"" + key + "\": [^,\\n]*(,?)\\n", "\"" + key + "\": " + value + "$1\n");
        if (edited.equals(json)) {
            edited = json.replaceFirst("\\{", "{\"" + key + "\": " + value + ",");
        }
        Path f = tmp.resolve("config.json");
        Files.writeString(f, edited);
        LlmFixtures.assertConfigRefused(f, key);
    }

    @Test
    void strictLoadNamesMissingUnexpectedAndMisShapedKeys() throws IOException {
        Path dir = untiedWith("broken", edited -> {
            edited.remove("model.norm.weight");
            edited.put("model.layers.0.mlp.up_proj.weight", Tensor.zeros(63, 32));
            edited.put("model.extra.weight", Tensor.zeros(2));
        });
        StateDictException e = assertThrows(StateDictException.class, () -> CausalLM.fromPretrained(dir));
        assertEquals(java.util.List.of("model.norm.weight"), e.missing());
        assertEquals(java.util.List.of("model.extra.weight"), e.unexpected());
        assertEquals(1, e.misShaped().size());
        assertTrue(e.misShaped().get(0).startsWith("model.layers.0.mlp.up_proj.weight"), e.getMessage());
    }

    @Test
    void untiedModelWithoutLmHeadIsRejected() throws IOException {
        Path dir = untiedWith("nohead", edited -> edited.remove("lm_head.weight"));
        StateDictException e = assertThrows(StateDictException.class, () -> CausalLM.fromPretrained(dir));
        assertEquals(java.util.List.of("lm_head.weight"), e.missing());
    }

    /** A copy of the llama_untied fixture in {@code tmp/name} whose tensors {@code edit} changed. */
    private Path untiedWith(String name, Consumer<Map<String, Tensor>> edit) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        Files.copy(LlmFixtures.path("llama_untied").resolve("config.json"), dir.resolve("config.json"));
        Map<String, Tensor> state = LlmFixtures.tensors("llama_untied/model.safetensors");
        Map<String, Tensor> edited = new LinkedHashMap<>(state);
        edit.accept(edited);
        write(edited, dir.resolve("model.safetensors"));
        edited.values().forEach(Tensor::close);
        state.values().forEach(Tensor::close);
        return dir;
    }

    @Test
    void savedModelLoadsBackWithTheSameLogits() throws IOException {
        Map<String, Tensor> io = LlmFixtures.tensors("llama_tied/io.safetensors");
        try (CausalLM m = CausalLM.fromPretrained(LlmFixtures.path("llama_tied"));
             Grad.Mode off = Grad.disabled()) {
            m.save(tmp.resolve("out"));
            try (CausalLM back = CausalLM.fromPretrained(tmp.resolve("out"));
                 Tensor a = m.forward(io.get("ids")); Tensor b = back.forward(io.get("ids"))) {
                assertEquals(0.0, TensorFixtures.maxRelError(b, a));
                assertEquals(m.config(), back.config());
                assertNull(back.namedParameters().get("lm_head.weight"));
            }
        } finally {
            io.values().forEach(Tensor::close);
        }
    }

    @Test
    void ropeScalingFollowsHuggingFacesLlama3Rule() {
        // inv_freq of theta 500000, D 8: [1, 0.0376, 0.00141, 5.32e-5]; original context 16, factors 1 / 4, ×8:
        // wavelength 6.28 lies between 4 and 16 (smoothed), the others exceed 16 (divided by 8)
        RotaryEmbedding r = new RotaryEmbedding(8, 500000, RopeScaling.llama3(8, 1, 4, 16), 4);
        float[] f = r.invFreq();
        double smooth = (16 / (2 * Math.PI) - 1) / 3;
        assertEquals((1 - smooth) / 8 + smooth, f[0], 1e-6);
        assertEquals(0.0376060 / 8, f[1], 1e-6);
        r.close();
    }

    private static void write(Map<String, Tensor> tensors, Path file) throws IOException {
        java.util.List<Storage> copies = new java.util.ArrayList<>();
        SafetensorsWriter w = new SafetensorsWriter();
        for (var e : tensors.entrySet()) {
            Storage s = Storage.ofFloats(e.getValue().toFloatArray());
            copies.add(s);
            w.add(e.getKey(), DType.F32, e.getValue().shape(), s);
        }
        w.write(file);
        copies.forEach(Storage::close);
    }
}
