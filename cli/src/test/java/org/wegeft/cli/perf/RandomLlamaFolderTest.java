package org.wegeft.cli.perf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.wegeft.kernels.DType;
import org.wegeft.llm.DecoderConfig;
import org.wegeft.llm.CausalLM;
import org.wegeft.llm.RopeScaling;
import org.wegeft.tensor.ShardedSafetensors;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorInfo;

/** Random model folders: the library loads them back, to the weights the benchmark model of the same seed has. */
class RandomLlamaFolderTest {
    private static final JsonMapper JSON = new JsonMapper();

    @TempDir
    Path tmp;

    /** llama-1b's features at a tiny size: grouped-query attention, tied embeddings, Llama 3 rope scaling. */
    private static DecoderConfig small() {
        return new DecoderConfig("llama", 96, 16, 40, 2, 4, 2, 4, 512, 1e-5, 500_000.0,
                RopeScaling.llama3(32, 1, 4, 64), true, false, false, "silu", List.of(1), List.of(2), null,
                "bfloat16", 0.02);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = DType.class, names = {"BF16", "F32"})
    void aWrittenFolderLoadsToTheBenchModelOfTheSameSeed(DType dtype) throws IOException {
        DecoderConfig c = small();
        Path out = tmp.resolve("model");
        RandomLlamaFolder.Written w = RandomLlamaFolder.write(c, dtype, 3, 7, null, out);
        assertEquals(List.of("model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                "model-00003-of-00003.safetensors", ShardedSafetensors.INDEX, "config.json"), w.files());
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(out), s.toList(), "no temporary folder is left beside the model");
        }
        String torchDtype = dtype == DType.BF16 ? "bfloat16" : "float32";
        assertEquals(c.withTorchDtype(torchDtype), DecoderConfig.read(out));
        try (CausalLM loaded = CausalLM.fromPretrained(out);
             CausalLM bench = new CausalLM(c, 7, dtype)) {
            Map<String, Tensor> got = loaded.namedParameters();
            Map<String, Tensor> want = bench.namedParameters();
            assertEquals(want.keySet(), got.keySet());
            assertEquals(w.parameters(), loaded.parameterCount());
            for (var e : want.entrySet()) {
                Tensor g = got.get(e.getKey());
                if (e.getValue().dim() == 2) {
                    assertEquals(dtype, g.dtype(), e.getKey());
                }
                assertArrayEquals(e.getValue().toFloatArray(), g.toFloatArray(), e.getKey());
            }
            try (Tensor ids = Tensor.ofInts(new int[] {3, 4, 5, 6}, 1, 4); Tensor logits = loaded.forward(ids)) {
                assertArrayEquals(new long[] {1, 4, 96}, logits.shape());
            }
        }
    }

    @Test
    void oneShardIsASingleModelSafetensorsAndTokenizerFilesAreCopied() throws IOException {
        Path tok = Files.createDirectories(tmp.resolve("tok"));
        Files.writeString(tok.resolve("tokenizer.json"), "{\"model\": {}}");
        Files.writeString(tok.resolve("special_tokens_map.json"), "{}");
        Path out = tmp.resolve("one");
        RandomLlamaFolder.Written w = RandomLlamaFolder.write(small(), DType.BF16, 1, 0, tok, out);
        assertEquals(List.of(ShardedSafetensors.SINGLE, "config.json", "tokenizer.json", "special_tokens_map.json"),
                w.files());
        assertEquals("{\"model\": {}}", Files.readString(out.resolve("tokenizer.json")));
        assertFalse(Files.exists(out.resolve("tokenizer_config.json")));
        try (CausalLM loaded = CausalLM.fromPretrained(out)) {
            assertEquals(w.parameters(), loaded.parameterCount());
        }
    }

    @Test
    void badOutputsAndTokenizerFoldersAreRefusedBeforeAnythingIsWritten() throws IOException {
        Path full = Files.createDirectories(tmp.resolve("full"));
        Files.writeString(full.resolve("keep.txt"), "x");
        var e = assertThrows(IllegalArgumentException.class,
                () -> RandomLlamaFolder.write(small(), DType.BF16, 2, 0, null, full));
        assertTrue(e.getMessage().startsWith("--out"), e.getMessage());
        Path empty = Files.createDirectories(tmp.resolve("empty-tokenizer"));
        e = assertThrows(IllegalArgumentException.class,
                () -> RandomLlamaFolder.write(small(), DType.BF16, 2, 0, empty, tmp.resolve("m")));
        assertTrue(e.getMessage().startsWith("--tokenizer-from"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RandomLlamaFolder.write(small(), DType.BF16, 1000, 0, null, tmp.resolve("m")));
        assertTrue(e.getMessage().startsWith("--shards"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("m")));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(2, s.count(), "only the two folders made here and nothing else");
        }
    }

    @Test
    void llama1bHasLlama32OneBsTensorsWithoutALmHead() {
        List<TensorInfo> t = RandomLlamaFolder.tensors(BenchModel.LLAMA_1B.llamaConfig(), DType.BF16);
        assertEquals(1_235_814_400L, t.stream().mapToLong(TensorInfo::elements).sum());
        assertEquals(1 + 16 * 9 + 1, t.size());
        assertTrue(t.stream().noneMatch(x -> x.name().equals("lm_head.weight")), "tied: no lm_head.weight");
        TensorInfo k = t.stream().filter(x -> x.name().equals("model.layers.0.self_attn.k_proj.weight")).findFirst()
                .orElseThrow();
        assertArrayEquals(new long[] {512, 2048}, k.shape());
        assertEquals("BF16", k.dtype());
    }

    @Test
    void shardsAreConsecutiveNonEmptyAndAboutEqualInBytes() {
        List<TensorInfo> t = RandomLlamaFolder.tensors(BenchModel.LLAMA_1B.llamaConfig(), DType.BF16);
        long total = t.stream().mapToLong(TensorInfo::bytes).sum();
        List<List<TensorInfo>> shards = RandomLlamaFolder.split(t, 3);
        assertEquals(3, shards.size());
        List<TensorInfo> joined = new ArrayList<>();
        for (List<TensorInfo> s : shards) {
            long bytes = s.stream().mapToLong(TensorInfo::bytes).sum();
            assertTrue(Math.abs(bytes - total / 3.0) < 0.05 * total, "shard of " + bytes + " of " + total);
            joined.addAll(s);
        }
        assertEquals(t, joined);
        List<List<TensorInfo>> each = RandomLlamaFolder.split(t, t.size());
        assertTrue(each.stream().allMatch(s -> s.size() == 1), "as many shards as tensors: one each");
    }

    @Test
    void llama1bConfigJsonIsAHuggingFaceLlama32Config() throws IOException {
        Path f = tmp.resolve("config.json");
        BenchModel.LLAMA_1B.llamaConfig().withTorchDtype("bfloat16").write(f);
        JsonNode j = JSON.readTree(f.toFile());
        assertEquals("LlamaForCausalLM", j.get("architectures").get(0).asText());
        assertEquals("llama", j.get("model_type").asText());
        assertEquals(2048, j.get("hidden_size").asInt());
        assertEquals(8192, j.get("intermediate_size").asInt());
        assertEquals(32, j.get("num_attention_heads").asInt());
        assertEquals(8, j.get("num_key_value_heads").asInt());
        assertEquals(16, j.get("num_hidden_layers").asInt());
        assertEquals(128_256, j.get("vocab_size").asInt());
        assertEquals(1e-5, j.get("rms_norm_eps").asDouble());
        assertEquals(500_000.0, j.get("rope_theta").asDouble());
        JsonNode rs = j.get("rope_scaling");
        assertEquals("llama3", rs.get("rope_type").asText());
        assertEquals(32.0, rs.get("factor").asDouble());
        assertEquals(1.0, rs.get("low_freq_factor").asDouble());
        assertEquals(4.0, rs.get("high_freq_factor").asDouble());
        assertEquals(8192, rs.get("original_max_position_embeddings").asInt());
        assertTrue(j.get("tie_word_embeddings").asBoolean());
        assertEquals(131_072, j.get("max_position_embeddings").asInt());
        assertEquals("bfloat16", j.get("torch_dtype").asText());
        assertEquals(128_000, j.get("bos_token_id").asInt());
        assertEquals(128_001, j.get("eos_token_id").asInt());
    }
}
