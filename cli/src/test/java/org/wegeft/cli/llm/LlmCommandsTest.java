package org.wegeft.cli.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wegeft.cli.CliRun.lossesByStep;
import static org.wegeft.cli.CliRun.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.wegeft.cli.CliRun.Result;
import org.wegeft.cli.TinyLlama;
import org.wegeft.llm.GenerationConfig;
import org.wegeft.llm.Generator;
import org.wegeft.llm.CausalLM;
import org.wegeft.llm.tokenizer.HfTokenizer;

/** The {@code wegeft llm} commands in-process: perplexity parity with torch, generation, training, bad input. */
class LlmCommandsTest {
    static final Path FIX = Path.of("../llm/src/test/resources/fixtures");
    static final Path KJV = TinyLlama.KJV;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static Path tiny;

    /** A random tiny LLaMA with the project's KJV tokenizer (vocab 4000). */
    @BeforeAll
    static void tinyModel() throws IOException {
        tiny = TinyLlama.save(tmp.resolve("tiny"), KJV.resolve("tokenizer_config.json"));
    }

    @ParameterizedTest(name = "batch {0}")
    @ValueSource(ints = {1, 3, 8})
    void perplexityMatchesTorchNll(int batch) throws IOException {
        JsonNode exp = JSON.readTree(FIX.resolve("llm_eval/expected.json").toFile());
        String data = FIX.resolve("llm_eval/ppl.jsonl").toString();
        Result base = run("llm", "perplexity", "--model", FIX.resolve("llama_untied").toString(), "--data", data,
                "--batch", String.valueOf(batch));
        assertEquals(0, base.status(), base.err());
        assertEquals(1, base.out().strip().lines().count(), "one JSON line: " + base.out());
        JsonNode r = JSON.readTree(base.out());
        assertEquals(exp.get("tokens").asLong(), r.get("tokens").asLong());
        assertRel(exp.get("nll").asDouble(), r.get("nll").asDouble(), 1e-4);
        assertRel(exp.get("ppl").asDouble(), r.get("ppl").asDouble(), 1e-4);

        Result ad = run("llm", "perplexity", "--model", FIX.resolve("llama_untied").toString(), "--adapter",
                FIX.resolve("llama_untied_wegeft").toString(), "--data", data, "--batch", String.valueOf(batch));
        assertEquals(0, ad.status(), ad.err());
        assertRel(exp.get("adapter_nll").asDouble(), JSON.readTree(ad.out()).get("nll").asDouble(), 1e-4);
    }

    /** DoRA, VeRA and (IA)³ adapters in PEFT's layout, unmerged, against PyTorch's NLL with PEFT's forward. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dora", "vera", "ia3"})
    void perplexityWithEachPeftVariantMatchesTorch(String method) throws IOException {
        JsonNode exp = JSON.readTree(FIX.resolve("llm_eval/expected_variants.json").toFile());
        Result r = run("llm", "perplexity", "--model", FIX.resolve("llama_untied").toString(), "--adapter",
                FIX.resolve("llama_untied_" + method).toString(), "--data",
                FIX.resolve("llm_eval/ppl.jsonl").toString(), "--batch", "3");
        assertEquals(0, r.status(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(exp.get("tokens").asLong(), j.get("tokens").asLong());
        assertRel(exp.get(method + "_nll").asDouble(), j.get("nll").asDouble(), 1e-4);
        System.out.printf(java.util.Locale.ROOT, "perplexity %s: nll %.9f, torch %.9f%n", method,
                j.get("nll").asDouble(), exp.get(method + "_nll").asDouble());
    }

    static void assertRel(double expected, double actual, double rel) {
        assertTrue(Math.abs(actual - expected) <= rel * Math.abs(expected),
                "expected " + expected + ", got " + actual + " (rel " + Math.abs(actual - expected) / expected + ")");
    }

    @Test
    void perplexityOfTextRecordsUsesTheTokenizer() throws IOException {
        Path data = tmp.resolve("text.jsonl");
        Files.writeString(data, "{\"text\": \"In the beginning God created the heaven and the earth.\"}\n"
                + "{\"instruction\": \"Who created the heaven?\", \"output\": \"God\"}\n");
        Result r = run("llm", "perplexity", "--model", tiny.toString(), "--data", data.toString());
        assertEquals(0, r.status(), r.err());
        JsonNode j = JSON.readTree(r.out());
        try (HfTokenizer tok = HfTokenizer.load(tiny)) {
            int textTokens = tok.encode("In the beginning God created the heaven and the earth.", true).length - 1;
            int answerTokens = tok.encode("God", false).length + 1;
            assertEquals(textTokens + answerTokens, j.get("tokens").asInt());
        }
        assertTrue(j.get("ppl").asDouble() > 1000, "a random model is near-uniform over 4000 ids: " + j);
    }

    @Test
    void greedyGenerationStreamsTheGeneratorsTokens() {
        Result r = run("llm", "generate", "--model", tiny.toString(), "--prompt", "And God said", "--greedy",
                "--max-new-tokens", "12");
        assertEquals(0, r.status(), r.err());
        try (HfTokenizer tok = HfTokenizer.load(tiny);
             CausalLM m = CausalLM.fromPretrained(tiny)) {
            int[] ids = new Generator(m).generate(tok.encode("And God said", true),
                    GenerationConfig.greedy(12, List.of(tok.eosId())), null);
            assertEquals(tok.decode(ids, true) + System.lineSeparator(), r.out());
            assertTrue(ids.length > 0);
        }
    }

    @Test
    void sparkMasterLocal2TrainsLikeOneProcessAndRank0SavesTheAdapter() throws IOException {
        Path data = tmp.resolve("train-spark.jsonl");
        Files.writeString(data, """
                {"instruction": "What is 2 plus 3?", "output": "5"}
                {"instruction": "What is 4 plus 4?", "output": "eight, as everyone knows"}
                {"instruction": "Name a colour.", "output": "Red"}
                """);
        Path one = tmp.resolve("spark-one");
        Path two = tmp.resolve("spark-two");
        String[] common = {"llm", "train", "--model", tiny.toString(), "--data", data.toString(), "--template",
                "plain", "--rank", "4", "--dropout", "0", "--steps", "3", "--batch", "3", "--log-every", "1"};
        Result a = run(concat(common, "--out", one.toString()));
        Result b = run(concat(common, "--out", two.toString(), "--spark-master", "local[2]", "--replicas", "2"));
        assertEquals(0, a.status(), a.err());
        assertEquals(0, b.status(), b.err());
        assertTrue(b.out().contains("on 2 replicas: 3 steps"), b.out());
        assertTrue(Files.size(two.resolve("adapter_model.safetensors")) > 0, "rank 0 saved the adapter");
        var la = lossesByStep(one.resolve("metrics.jsonl"));
        var lb = lossesByStep(two.resolve("metrics.jsonl"));
        assertEquals(la.keySet(), lb.keySet());
        // rows of 1 and 2 examples with different token counts: the weighted mean is the batch's token mean
        la.forEach((step, loss) -> assertEquals(Double.parseDouble(loss), Double.parseDouble(lb.get(step)), 1e-5,
                "loss of step " + step));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--quantize", "--replicas"})
    void sparkMasterRefusesWhatItCannotDoNamingTheFlag(String flag) {
        Path data = FIX.resolve("llm_eval/ppl.jsonl");
        String[] more = flag.equals("--quantize") ? new String[] {"--quantize", "nf4", "--replicas", "2"}
                : new String[] {"--replicas", "5"};
        Result r = run(concat(new String[] {"llm", "train", "--model", tiny.toString(), "--data", data.toString(),
                "--steps", "1", "--batch", "4", "--out", tmp.resolve("refused").toString(), "--spark-master",
                "local[2]"}, more));
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains(flag), r.err());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"wegeft", "lora"})
    void trainingSavesAPeftAdapterThatLowersPerplexity(String method) throws IOException {
        Path data = tmp.resolve("train-" + method + ".jsonl");
        Files.writeString(data, """
                {"instruction": "What is 2 plus 3?", "output": "5"}
                {"instruction": "What is 4 plus 4?", "output": "8"}
                """);
        Path out = tmp.resolve("adapter-" + method);
        Result t = run("llm", "train", "--model", tiny.toString(), "--data", data.toString(), "--method", method,
                "--rank", "4", "--dropout", "0", "--steps", "30", "--lr", "0.05", "--batch", "2", "--out",
                out.toString(), "--grad-checkpointing", "--recompute-activations", "--template", "plain");
        assertEquals(0, t.status(), t.err());
        JsonNode cfg = JSON.readTree(out.resolve("adapter_config.json").toFile());
        assertEquals(method.toUpperCase(), cfg.get("peft_type").asText());
        assertEquals(4, cfg.get("r").asInt());
        // what Hugging Face's AutoPeftModelForCausalLM reads to open the folder
        assertEquals("CAUSAL_LM", cfg.get("task_type").asText());
        assertEquals(tiny.toAbsolutePath().normalize().toString(), cfg.get("base_model_name_or_path").asText());
        assertTrue(Files.size(out.resolve("adapter_model.safetensors")) > 0);
        assertTrue(Files.exists(out.resolve("metrics.jsonl")));
        Result before = run("llm", "perplexity", "--model", tiny.toString(), "--data", data.toString(),
                "--template", "plain");
        Result after = run("llm", "perplexity", "--model", tiny.toString(), "--adapter", out.toString(), "--data",
                data.toString(), "--template", "plain");
        assertEquals(0, after.status(), after.err());
        double b = JSON.readTree(before.out()).get("nll").asDouble();
        double a = JSON.readTree(after.out()).get("nll").asDouble();
        // a random tiny model's lm_head (std 0.02) bounds how far an adapter on q,k,v,up,down can move the logits
        assertTrue(a < b - 0.3, "nll before " + b + ", after " + a + "; " + t.out() + t.err());
    }


    @Test
    void resumedTrainingLogsTheSameLossesBitForBitAsAnUninterruptedRun() throws IOException {
        Path data = tmp.resolve("train-resume.jsonl");
        Files.writeString(data, """
                {"instruction": "What is 2 plus 3?", "output": "5"}
                {"instruction": "What is 4 plus 4?", "output": "8"}
                {"instruction": "What is 1 plus 6?", "output": "7"}
                """);
        // 3 records, batch 2: 2 batches an epoch, so the checkpoint at step 3 lies inside the second epoch;
        // dropout 0.1 (the WeGeFT default) makes the resumed run depend on the restored generator too
        List<String> common = List.of("llm", "train", "--model", tiny.toString(), "--data", data.toString(),
                "--method", "wegeft", "--rank", "4", "--steps", "6", "--lr", "0.05", "--batch", "2",
                "--template", "plain", "--log-every", "1");
        Path full = tmp.resolve("resume-full");
        List<String> a = new java.util.ArrayList<>(common);
        a.addAll(List.of("--checkpoint-every", "3", "--out", full.toString()));
        Result ra = run(a.toArray(String[]::new));
        assertEquals(0, ra.status(), ra.err());
        assertTrue(Files.isRegularFile(full.resolve("checkpoints/checkpoint-3/trainer_state.json")));
        assertTrue(Files.isRegularFile(full.resolve("checkpoints/checkpoint-6/trainer_state.json")));
        Path resumed = tmp.resolve("resume-continued");
        List<String> b = new java.util.ArrayList<>(common);
        b.addAll(List.of("--resume", full.resolve("checkpoints/checkpoint-3").toString(), "--out",
                resumed.toString()));
        Result rb = run(b.toArray(String[]::new));
        assertEquals(0, rb.status(), rb.err());

        var uninterrupted = lossesByStep(full.resolve("metrics.jsonl"));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), List.copyOf(uninterrupted.keySet()));
        var continued = lossesByStep(resumed.resolve("metrics.jsonl"));
        assertEquals(List.of(4L, 5L, 6L), List.copyOf(continued.keySet()));
        for (long step = 4; step <= 6; step++) {
            assertEquals(uninterrupted.get(step), continued.get(step), "loss of step " + step);
        }
        assertEquals(Files.mismatch(full.resolve("adapter_model.safetensors"),
                resumed.resolve("adapter_model.safetensors")), -1L, "saved adapters differ");
    }

    @Test
    void fullFineTuningSavesAModelFolder() throws IOException {
        Path data = tmp.resolve("train-full.jsonl");
        Files.writeString(data, "{\"text\": \"And God said, Let there be light: and there was light.\"}\n");
        Path out = tmp.resolve("full");
        Result t = run("llm", "train", "--model", tiny.toString(), "--data", data.toString(), "--method", "full",
                "--steps", "10", "--lr", "0.01", "--batch", "1", "--out", out.toString());
        assertEquals(0, t.status(), t.err());
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
        double b = JSON.readTree(run("llm", "perplexity", "--model", tiny.toString(), "--data", data.toString())
                .out()).get("nll").asDouble();
        double a = JSON.readTree(run("llm", "perplexity", "--model", out.toString(), "--data", data.toString())
                .out()).get("nll").asDouble();
        assertTrue(a < b - 1, "nll before " + b + ", after " + a + "; " + t.out());
    }

    /** A Parquet file's text column under another name, mapped with --text-column, reads as its JSONL twin. */
    @Test
    void perplexityOfAParquetTextColumnUnderAnotherName() throws IOException {
        Path records = FIX.resolve("records");
        Result parquet = run("llm", "perplexity", "--model", tiny.toString(), "--data",
                records.resolve("text-renamed.parquet").toString(), "--text-column", "body");
        Result jsonl = run("llm", "perplexity", "--model", tiny.toString(), "--data",
                records.resolve("text-renamed.jsonl").toString(), "--text-column", "body");
        assertEquals(0, parquet.status(), parquet.err());
        assertEquals(0, jsonl.status(), jsonl.err());
        assertEquals(JSON.readTree(jsonl.out()).get("nll"), JSON.readTree(parquet.out()).get("nll"));
        assertTrue(JSON.readTree(parquet.out()).get("tokens").asInt() > 20, parquet.out());
        // without the mapping the file has no record columns; a bad shard layout is refused too
        Result unmapped = run("llm", "perplexity", "--model", tiny.toString(), "--data",
                records.resolve("text-renamed.parquet").toString());
        assertEquals(2, unmapped.status(), unmapped.err());
        assertTrue(unmapped.err().contains("'text'") && unmapped.err().contains("[body, id]"), unmapped.err());
        Path shards = Files.createDirectories(tmp.resolve("one-shard"));
        Files.copy(records.resolve("instruct-shards/train-00001-of-00002.parquet"),
                shards.resolve("train-00001-of-00002.parquet"));
        Result missing = run("llm", "train", "--model", tiny.toString(), "--data", shards.toString(), "--out",
                tmp.resolve("never").toString());
        assertEquals(2, missing.status(), missing.err());
        assertTrue(missing.err().contains("train-00000-of-00002") && missing.err().contains("missing"),
                missing.err());
        assertTrue(Files.notExists(tmp.resolve("never")), "nothing written for bad data");
    }

    @Test
    void badInputGivesStatus2AndOneLine() throws IOException {
        Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(bad, "{\"input_ids\": [1, 2]}\n{\"input_ids\": \"x\"}\n");
        Path model = FIX.resolve("llama_untied");
        List<List<String>> cases = List.of(
                List.of("llm", "perplexity", "--model", model.toString(), "--data", bad.toString()),
                List.of("llm", "perplexity", "--model", model.toString(), "--data", tmp.resolve("none.jsonl").toString()),
                List.of("llm", "perplexity", "--model", tmp.resolve("nomodel").toString(), "--data",
                        FIX.resolve("llm_eval/ppl.jsonl").toString()),
                List.of("llm", "perplexity", "--model", model.toString()),
                List.of("llm", "generate", "--model", model.toString(), "--prompt", "hi"),
                List.of("llm", "train", "--model", model.toString(), "--data", bad.toString(), "--method", "adalora",
                        "--out", tmp.resolve("o").toString()),
                List.of("llm", "train", "--model", model.toString(), "--data", bad.toString(), "--resume",
                        tmp.resolve("no-checkpoints").toString(), "--out", tmp.resolve("o").toString()),
                List.of("llm", "train", "--model", model.toString(), "--data", bad.toString(), "--resume",
                        model.toString(), "--out", tmp.resolve("o").toString()));
        List<String> expected = List.of(bad + ":2:", "none.jsonl", "nomodel", "--data", "tokenizer.json", "--method",
                "no-checkpoints", "--resume: no complete checkpoint in " + model);
        for (int i = 0; i < cases.size(); i++) {
            Result r = run(cases.get(i).toArray(String[]::new));
            assertEquals(2, r.status(), cases.get(i) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains(expected.get(i)), r.err());
        }
    }

    @Test
    void perplexityRejectsIdsOutsideTheVocabulary() throws IOException {
        Path data = tmp.resolve("oov.jsonl");
        Files.writeString(data, "{\"input_ids\": [1, 2, 500]}\n");
        Result r = run("llm", "perplexity", "--model", FIX.resolve("llama_untied").toString(), "--data",
                data.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("500") && r.err().contains("record 1"), r.err());
    }
}
