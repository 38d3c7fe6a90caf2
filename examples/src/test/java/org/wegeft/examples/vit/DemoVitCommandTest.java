package org.wegeft.examples.vit;

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

/** A micro {@code demo vit} (one step per method, in this JVM): the files and the schema of results.json. */
class DemoVitCommandTest {
    @TempDir
    Path dir;

    @Test
    void microDemoWritesResultsForEveryMethodAndThePlot() throws IOException {
        Path model = VitCommandsTest.tinyModel(dir.resolve("model"));
        Path out = dir.resolve("run");
        VitCommandsTest.Result r = VitCommandsTest.run("demo", "vit", "--model", model.toString(), "--train",
                VitCommandsTest.TRAIN.toString(), "--test", VitCommandsTest.TEST.toString(), "--out", out.toString(),
                "--max-steps", "1", "--batch", "8", "--in-process");
        assertEquals(0, r.status(), r.err());
        for (String m : DemoVitCommand.METHODS) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(
                    org.wegeft.peft.FineTuningMethods.named(m).label())), m + " row missing in\n" + r.out());
        }
        JsonNode results = VitCommandsTest.JSON.readTree(out.resolve("results.json").toFile());
        assertEquals(5, results.size());
        Map<String, Long> params = new HashMap<>();
        for (JsonNode o : results) {
            for (String k : List.of("method", "trainable_params", "test_accuracy", "train_seconds", "peak_memory_mb")) {
                assertTrue(o.hasNonNull(k), k + " missing in " + o);
            }
            assertTrue(o.get("trainable_params").isIntegralNumber());
            double acc = o.get("test_accuracy").asDouble();
            assertTrue(acc >= 0 && acc <= 1, "accuracy " + acc);
            assertTrue(o.get("train_seconds").asDouble() >= 0);
            assertEquals(797, o.get("test_count").asLong());
            assertEquals(1, o.get("steps").asLong());
            params.put(o.get("method").asText(), o.get("trainable_params").asLong());
        }
        assertEquals(List.of("wegeft", "lora", "full", "probe", "bitfit"),
                java.util.stream.StreamSupport.stream(results.spliterator(), false)
                        .map(o -> o.get("method").asText()).toList());
        // width 32, 2 blocks, 10 classes, rank 16 on attn.proj: head 330; WeGeFT one tied pair; LoRA A, B per block
        assertEquals(330, params.get("probe"));
        assertEquals(330 + 2 * 16 * 32, params.get("wegeft"));
        assertEquals(330 + 2 * 16 * (32 + 32), params.get("lora"));
        assertTrue(params.get("full") > params.get("lora"));
        BufferedImage png = ImageIO.read(out.resolve("accuracy_vs_params.png").toFile());
        assertEquals(900, png.getWidth());
        assertEquals(560, png.getHeight());

        Files.delete(out.resolve("accuracy_vs_params.png"));
        assertEquals(0, VitCommandsTest.run("demo", "vit", "--plot-only", "--out", out.toString()).status());
        assertEquals(900, ImageIO.read(out.resolve("accuracy_vs_params.png").toFile()).getWidth());
    }
}
