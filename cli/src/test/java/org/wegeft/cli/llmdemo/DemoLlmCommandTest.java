package org.wegeft.cli.llmdemo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wegeft.cli.CliRun.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.wegeft.cli.CliRun.Result;
import org.wegeft.cli.TinyLlama;
import org.wegeft.llm.CausalLM;
import org.wegeft.llm.tokenizer.HfTokenizer;
import org.wegeft.llm.tokenizer.Tokenizer;
import org.wegeft.peft.AdapterRecipe;
import org.wegeft.peft.FineTuningMethods;

/** {@code wegeft demo llm}, {@code llm pretrain} and {@code bench llm-memory} in-process, on tiny models. */
class DemoLlmCommandTest {
    static final Path KJV = TinyLlama.KJV;
    static final ObjectMapper JSON = new ObjectMapper();
    static final int HIDDEN = TinyLlama.HIDDEN;
    static final int MLP = TinyLlama.MLP;

    @TempDir
    static Path tmp;
    static Path tiny;

    @BeforeAll
    static void tinyModel() throws IOException {
        // the demo's model's tokenizer_config.json: the same special tokens, plus the chat template the demo uses
        tiny = TinyLlama.save(tmp.resolve("tiny"), Path.of("../examples/models/llama-kjv/tokenizer_config.json"));
    }

    @Test
    void microDemoWritesResultsWithTheSchema() throws IOException {
        Path out = tmp.resolve("demo");
        Result r = run("demo", "llm", "--model", tiny.toString(), "--out", out.toString(), "--steps", "2",
                "--train-size", "16", "--test-size", "4", "--batch", "4", "--rank", "4", "--seeds", "2");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("EM after (2 seeds)"), r.out());
        List<AdapterRecipe> recipes = FineTuningMethods.all().stream().filter(AdapterRecipe.class::isInstance)
                .map(AdapterRecipe.class::cast).toList();
        for (AdapterRecipe m : recipes) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(m.label() + " ")), m.name() + " row in\n" + r.out());
        }
        JsonNode root = JSON.readTree(out.resolve("results.json").toFile());
        assertEquals(4, root.get("settings").get("test_size").asInt());
        JsonNode results = root.get("results");
        assertEquals(2 * recipes.size(), results.size(), "every method, every seed");
        List<String> runs = new ArrayList<>();
        Map<String, Long> params = new HashMap<>();
        for (JsonNode m : results) {
            runs.add(m.get("method").asText() + "@" + m.get("seed").asLong());
            for (String k : DemoLlmResult.KEYS) {
                assertTrue(m.hasNonNull(k), "results.json entry lacks '" + k + "': " + m);
            }
            for (String k : List.of("exact_match_before", "exact_match_after")) {
                double em = m.get(k).asDouble();
                assertTrue(em >= 0 && em <= 1, k + " = " + em);
            }
            assertEquals(2, m.get("steps").asInt());
            assertTrue(m.get("median_step_ms").asDouble() > 0 && m.get("peak_tensor_mb").asDouble() > 0, m.toString());
            assertTrue(Files.isRegularFile(out.resolve(m.get("method").asText() + "-adapter-seed"
                    + m.get("seed").asLong() + "/adapter_config.json")));
            params.put(m.get("method").asText(), m.get("trainable_params").asLong());
        }
        List<String> expected = new ArrayList<>();
        for (int seed = 0; seed < 2; seed++) {
            for (AdapterRecipe m : recipes) {
                expected.add(m.name() + "@" + seed);
            }
        }
        assertEquals(expected, runs, "seed by seed, methods in registry order");
        // WeGeFT: one (phi, psi) per target name, 2·r·d_in each (q, k, v, up read C; down reads the MLP width).
        assertEquals(2L * 4 * (4 * HIDDEN + MLP), params.get("wegeft"));
        // LoRA: r·(d_in + d_out) per layer and target, 2 layers (q C→C, k and v C→C/2, up C→MLP, down MLP→C).
        long perLayer = 4L * ((HIDDEN + HIDDEN) + 2 * (HIDDEN + HIDDEN / 2) + (HIDDEN + MLP) + (MLP + HIDDEN));
        assertEquals(2 * perLayer, params.get("lora"));
        // DoRA: LoRA plus one magnitude per output of every target.
        long outputs = HIDDEN + 2 * (HIDDEN / 2) + MLP + HIDDEN;
        assertEquals(2 * perLayer + 2 * outputs, params.get("dora"));
        // VeRA: λ_b per output and λ_d (r) per target, the projections frozen.
        assertEquals(2 * (outputs + 5L * 4), params.get("vera"));
    }

    @Test
    void selectLrValidatesOnHeldOutTrainingProblems() throws IOException {
        Path out = tmp.resolve("select");
        Result r = run("demo", "llm", "--model", tiny.toString(), "--out", out.toString(), "--steps", "1",
                "--train-size", "12", "--test-size", "4", "--batch", "4", "--rank", "2", "--select-lr",
                "--methods", "wegeft,vera", "--lr-grid", "1e-3,1e-2", "--held-out", "4");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("train on 8, validate on 4 held-out training problems"), r.out());
        JsonNode sel = JSON.readTree(out.resolve("lr_selection.json").toFile());
        assertEquals(4, sel.size(), "two methods × two rates");
        assertTrue(r.out().contains("WeGeFT: best lr") && r.out().contains("VeRA: best lr"), r.out());
        assertFalse(Files.exists(out.resolve("results.json")), "the demo itself did not run");
    }

    static Stream<Arguments> badDemoFlags() {
        return Stream.of(
                Arguments.of(List.of("--steps", "0"), "--steps"),
                Arguments.of(List.of("--test-size", "0"), "--test-size"),
                Arguments.of(List.of("--methods", "wegeft,prompt"), "--methods"),
                Arguments.of(List.of("--methods", "lora,lora"), "--methods"),
                Arguments.of(List.of("--methods", "full"), "--methods"),
                Arguments.of(List.of("--seeds", "0"), "--seeds"),
                Arguments.of(List.of("--lr", "-1"), "--lr"),
                Arguments.of(List.of("--no-such-flag"), "no-such-flag"),
                Arguments.of(List.of("--model", "/nonexistent/model"), "--model"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badDemoFlags")
    void badDemoFlagsExitWithStatus2(List<String> flags, String named) {
        List<String> args = new ArrayList<>(List.of("demo", "llm", "--model", tiny.toString(), "--out",
                tmp.resolve("bad").toString()));
        args.addAll(flags);
        Result r = run(args.toArray(String[]::new));
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().contains(named), r.err());
    }

    @Test
    void stopIdsHoldEosAndNewlineTokens() {
        try (Tokenizer tok = HfTokenizer.load(KJV)) {
            List<Integer> stop = AnswerScorer.stopIds(tok);
            assertTrue(stop.contains(tok.eosId()));
            int[] nl = tok.encode("\n", false);
            assertTrue(stop.contains(nl[nl.length - 1]), "newline token " + nl[nl.length - 1]);
            assertTrue(!stop.contains(tok.encode(" seven", false)[0]), "a number word is not a stop token");
        }
    }

    @Test
    void microPretrainWritesALoadableModelFolder() throws IOException {
        Path corpus = tmp.resolve("corpus.txt");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            sb.append("In the beginning God created the heaven and the earth. Verse ").append(i).append('\n');
        }
        Files.writeString(corpus, sb);
        Path out = tmp.resolve("pretrained");
        Result r = run("llm", "pretrain", "--corpus", corpus.toString(), "--tokenizer", KJV.toString(), "--out",
                out.toString(), "--hidden", "16", "--intermediate", "32", "--layers", "1", "--heads", "2",
                "--kv-heads", "1", "--seq", "16", "--batch", "2", "--steps", "2", "--warmup", "1", "--heldout", "0.1");
        assertEquals(0, r.status(), r.err());
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "generation_config.json",
                "train_log.jsonl")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        List<String> log = Files.readAllLines(out.resolve("train_log.jsonl"));
        JsonNode summary = JSON.readTree(log.getLast());
        assertEquals(2, summary.get("steps").asInt());
        assertTrue(summary.get("heldout_ppl").asDouble() > 1, summary.toString());
        try (CausalLM m = CausalLM.fromPretrained(out)) {
            assertTrue(m.config().tieWordEmbeddings());
            assertEquals(List.of(1), m.config().eosTokenIds());
        }
    }

    static Stream<Arguments> badPretrainFlags() {
        return Stream.of(
                Arguments.of(List.of("--heads", "3"), "--heads"),
                Arguments.of(List.of("--steps", "0"), "--steps"),
                Arguments.of(List.of("--heldout", "0.7"), "--heldout"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPretrainFlags")
    void badPretrainFlagsExitWithStatus2(List<String> flags, String named) throws IOException {
        Path corpus = tmp.resolve("c2.txt");
        Files.writeString(corpus, "a b c\nd e f\n");
        List<String> args = new ArrayList<>(List.of("llm", "pretrain", "--corpus", corpus.toString(), "--tokenizer",
                KJV.toString(), "--out", tmp.resolve("p2").toString()));
        args.addAll(flags);
        Result r = run(args.toArray(String[]::new));
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().contains(named), r.err());
    }

    static Stream<Arguments> badBenchFlags() {
        return Stream.of(
                Arguments.of(List.of("--method", "adalora"), "--method"),
                Arguments.of(List.of("--grad-checkpointing"), "--grad-checkpointing"),
                Arguments.of(List.of("--xmx", "lots"), "--xmx"),
                Arguments.of(List.of("--heads", "5"), "--heads"),
                Arguments.of(List.of("--batch", "0"), "--batch"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBenchFlags")
    void badBenchFlagsExitWithStatus2(List<String> flags, String named) {
        List<String> args = new ArrayList<>(List.of("bench", "llm-memory"));
        args.addAll(flags);
        Result r = run(args.toArray(String[]::new));
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().contains(named), r.err());
    }
}
