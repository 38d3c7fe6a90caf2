package org.wegeft.cli.vit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.cli.CliRun;
import org.wegeft.peft.FineTuningMethod;
import org.wegeft.peft.FineTuningMethods;

/** A micro {@code demo vit} (one step per method and seed, in this JVM): the files and the schema of results.json. */
class DemoVitCommandTest {
    @TempDir
    Path dir;

    @Test
    void microDemoWritesResultsForEveryMethodAndThePlot() throws IOException {
        Path model = VitCommandsTest.tinyModel(dir.resolve("model"));
        Path out = dir.resolve("run");
        CliRun.Result r = CliRun.run("demo", "vit", "--model", model.toString(), "--train",
                VitCommandsTest.TRAIN.toString(), "--test", VitCommandsTest.TEST.toString(), "--out", out.toString(),
                "--max-steps", "1", "--batch", "8", "--seeds", "2", "--in-process");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("tensor MB") && r.out().contains("process MB"), r.out());
        List<String> methods = FineTuningMethods.all().stream().map(FineTuningMethod::name).toList();
        for (FineTuningMethod m : FineTuningMethods.all()) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(m.label() + " ")), m.name() + " row missing in\n"
                    + r.out());
        }
        JsonNode results = VitCommandsTest.JSON.readTree(out.resolve("results.json").toFile());
        assertEquals(2 * methods.size(), results.size(), "every run of every seed");
        Map<String, Long> params = new HashMap<>();
        for (JsonNode o : results) {
            for (String k : List.of("method", "trainable_params", "test_accuracy", "train_seconds", "peak_memory_mb",
                    "seed", "median_step_ms")) {
                assertTrue(o.hasNonNull(k), k + " missing in " + o);
            }
            assertTrue(o.get("trainable_params").isIntegralNumber());
            double acc = o.get("test_accuracy").asDouble();
            assertTrue(acc >= 0 && acc <= 1, "accuracy " + acc);
            assertTrue(o.get("train_seconds").asDouble() >= 0);
            assertEquals(797, o.get("test_count").asLong());
            assertEquals(1, o.get("steps").asLong());
            assertTrue(o.get("median_step_ms").asDouble() > 0, "step time in " + o);
            assertTrue(o.get("peak_tensor_mb").asDouble() > 0, "tensor memory in " + o);
            params.put(o.get("method").asText(), o.get("trainable_params").asLong());
        }
        List<String> order = java.util.stream.StreamSupport.stream(results.spliterator(), false)
                .map(o -> o.get("method").asText() + "@" + o.get("seed").asLong()).toList();
        List<String> expected = new java.util.ArrayList<>();
        for (int seed = 0; seed < 2; seed++) {
            for (String m : methods) {
                expected.add(m + "@" + seed);
            }
        }
        assertEquals(expected, order, "seed by seed, methods in registry order");
        // width 32, 2 blocks, 10 classes, rank 16 on attn.proj: head 330; WeGeFT (its placement: rank 8 on attn.proj
        // and mlp.fc1, both reading the width) one tied pair per target; LoRA A, B per block; DoRA a magnitude per
        // output too; VeRA λ_b (32) and λ_d (16) per block; (IA)³ an output scale per block
        assertEquals(330, params.get("probe"));
        assertEquals(330 + 2 * (2 * 8 * 32), params.get("wegeft"));
        assertEquals(330 + 2 * 16 * (32 + 32), params.get("lora"));
        assertEquals(330 + 2 * (16 * (32 + 32) + 32), params.get("dora"));
        assertEquals(330 + 2 * (32 + 16), params.get("vera"));
        assertEquals(330 + 2 * 32, params.get("ia3"));
        assertTrue(params.get("full") > params.get("lora"));
        BufferedImage png = ImageIO.read(out.resolve("accuracy_vs_params.png").toFile());
        assertEquals(2 * 760, png.getWidth(), "accuracy and cost panels side by side");
        assertEquals(560, png.getHeight());

        // --rank and --targets put every method at the same place: WeGeFT's pair then sits on attn.proj alone
        Path one = dir.resolve("one");
        CliRun.Result o = CliRun.run("demo", "vit", "--model", model.toString(), "--train",
                VitCommandsTest.TRAIN.toString(), "--test", VitCommandsTest.TEST.toString(), "--out", one.toString(),
                "--max-steps", "1", "--batch", "8", "--seeds", "1", "--in-process", "--methods", "wegeft,lora",
                "--rank", "4");
        assertEquals(0, o.status(), o.err());
        JsonNode same = VitCommandsTest.JSON.readTree(one.resolve("results.json").toFile());
        assertEquals(330 + 2 * 4 * 32, same.get(0).get("trainable_params").asLong());
        assertEquals(330 + 2 * 2 * 4 * 32, same.get(1).get("trainable_params").asLong());

        Files.delete(out.resolve("accuracy_vs_params.png"));
        assertEquals(0, CliRun.run("demo", "vit", "--plot-only", "--out", out.toString()).status());
        assertEquals(2 * 760, ImageIO.read(out.resolve("accuracy_vs_params.png").toFile()).getWidth());
    }
}
