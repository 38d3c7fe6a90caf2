package org.wegeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench soak --model}: llm train soaked with checkpoints, and killed and resumed bit for bit. */
class BenchSoakModelTest {
    private static final JsonMapper JSON = new JsonMapper();
    @TempDir
    static Path tmp;
    static Path tiny;

    @BeforeAll
    static void model() throws Exception {
        tiny = TinyLlama.save(tmp.resolve("tiny"), TinyLlama.KJV.resolve("tokenizer_config.json"));
    }

    @Test
    void aModelSoakSamplesTheTrainingRunAndWritesItsReport() throws Exception {
        Path out = tmp.resolve("soak");
        CliRun.Result r = CliRun.run("bench", "soak", "--model", tiny.toString(), "--steps", "8", "--checkpoint-every",
                "3", "--sample-every", "2", "--seq", "16", "--out", out.toString());
        List<JsonNode> samples = r.out().lines().filter(l -> l.startsWith("{\"bench\":\"soak\",\"step\""))
                .map(BenchSoakModelTest::json).toList();
        assertEquals(List.of(2L, 4L, 6L, 8L), samples.stream().map(n -> n.get("step").asLong()).toList());
        JsonNode summary = json(r.out().lines().reduce((a, b) -> b).orElseThrow());
        assertTrue(summary.get("summary").asBoolean(), summary.toString());
        assertEquals(LlmSoak.GROWTH_LIMIT_PCT, summary.get("growth_limit_pct").asDouble());
        assertTrue(summary.has("pass"), summary.toString());
        // 8 steps cannot show a long run's growth bounds; the status says whether they held
        assertEquals(summary.get("pass").asBoolean() ? 0 : 1, r.status(), r.out() + r.err());
        JsonNode report = JSON.readTree(out.resolve("soak-report.json").toFile());
        assertEquals(4, report.get("samples").size());
        assertEquals(summary.get("pass"), report.get("summary").get("pass"));
        assertTrue(Files.isDirectory(out.resolve("run/checkpoints/checkpoint-6")));
        assertTrue(Files.isRegularFile(out.resolve("run/adapter_model.safetensors")));
        assertTrue(Files.size(out.resolve("soak.png")) > 0);
    }

    @Test
    void aKilledRunResumesToTheSameAdapterBitForBit() throws Exception {
        Path out = tmp.resolve("kill");
        // enough steps of 4 × 64 tokens that the child is still training when the kill step comes
        CliRun.Result r = CliRun.run("bench", "soak", "--model", tiny.toString(), "--steps", "60", "--checkpoint-every",
                "10", "--batch", "4", "--seq", "64", "--out", out.toString(), "--kill-resume");
        assertEquals(0, r.status(), r.err());
        JsonNode o = json(r.out().strip());
        assertEquals(60, o.get("losses_compared").asLong(), o.toString());
        assertTrue(o.get("killed_after_step").asLong() < 60, o.toString());
        assertEquals(0, o.get("losses_differing").asLong(), o.toString());
        assertTrue(o.get("adapter_identical").asBoolean(), o.toString());
        assertTrue(o.get("pass").asBoolean(), o.toString());
        assertTrue(Files.readString(out.resolve("resumed.log")).contains("60 steps"), "the resume ran to the end");
    }

    @Test
    void modelFlagsAreCheckedBeforeAnyWork() {
        CliRun.Result noOut = CliRun.run("bench", "soak", "--model", tiny.toString(), "--steps", "4");
        assertEquals(2, noOut.status());
        assertTrue(noOut.err().contains("--model needs --out"), noOut.err());
        CliRun.Result tooFew = CliRun.run("bench", "soak", "--model", tiny.toString(), "--steps", "4",
                "--checkpoint-every", "3", "--kill-resume", "--out", tmp.resolve("few").toString());
        assertEquals(2, tooFew.status());
        assertTrue(tooFew.err().contains("--kill-resume needs --steps at least"), tooFew.err());
        CliRun.Result noModel = CliRun.run("bench", "soak", "--steps", "4", "--kill-resume");
        assertEquals(2, noModel.status());
        assertTrue(noModel.err().contains("--kill-resume needs --model"), noModel.err());
    }

    private static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (Exception e) {
            throw new AssertionError(line, e);
        }
    }
}
