package org.wegeft.cli.vit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wegeft.cli.CliRun.lossesByStep;
import static org.wegeft.cli.CliRun.runJson;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code wegeft vit train} with WeGeFT on Hugging Face-layout models of other families (the vision module's tiny
 * DINOv2 classifier and SigLIP vision tower, written by tools/fixtures/make_vision_family_fixtures.py): the family's
 * default targets are adapted, a new 10-class classifier trains, the loss falls, and the adapter reloads in
 * {@code vit eval} to the same accuracy; on Spark, two replicas train as one process.
 */
class VitFamiliesTrainTest {
    private static final Path FIXTURES = Path.of("..", "vision", "src", "test", "resources", "fixtures");
    private static final int STEPS = 40;

    @TempDir
    Path dir;

    static Stream<Arguments> families() {
        // trainable: phi + psi per target name, tied across the 2 layers (2 · 16 · 24 each), + the new classifier
        return Stream.of(
                Arguments.of("hf_dinov2", List.of("query", "value"), 2 * (2 * 16 * 24) + (2 * 24 * 10 + 10)),
                Arguments.of("hf_siglip_vision", List.of("q_proj", "v_proj"), 2 * (2 * 16 * 24) + (24 * 10 + 10)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void wegeftTrainsTheFamilyFromTheCommandLine(String folder, List<String> targets, long trainable)
            throws IOException {
        Path model = FIXTURES.resolve(folder);
        Path out = dir.resolve("adapter");
        JsonNode trained = runJson("vit", "train", "--model", model.toString(), "--train",
                VitCommandsTest.TRAIN.toString(), "--eval", VitCommandsTest.TEST.toString(), "--method", "wegeft",
                "--steps", Integer.toString(STEPS), "--batch", "32", "--lr", "1e-2", "--no-progress", "--out",
                out.toString());
        assertEquals(STEPS, trained.get("steps").asLong());
        assertEquals(trainable, trained.get("trainable_params").asLong());

        JsonNode config = VitCommandsTest.JSON.readTree(out.resolve("adapter_config.json").toFile());
        assertEquals("WEGEFT", config.get("peft_type").asText());
        assertEquals(targets, VitCommandsTest.JSON.convertValue(config.get("target_modules"), List.class));
        assertEquals(List.of("classifier"), VitCommandsTest.JSON.convertValue(config.get("modules_to_save"),
                List.class));
        assertTrue(Files.isRegularFile(out.resolve("adapter_model.safetensors")));

        List<Double> losses = lossesByStep(out.resolve("metrics.jsonl")).values().stream()
                .map(Double::parseDouble).toList();
        int n = losses.size();
        assertTrue(n >= 10, "logged losses: " + losses);
        double first = losses.subList(0, 5).stream().mapToDouble(d -> d).average().orElseThrow();
        double last = losses.subList(n - 5, n).stream().mapToDouble(d -> d).average().orElseThrow();
        System.out.printf("%s: mean of the first 5 logged losses %.4f, of the last 5 %.4f%n", folder, first, last);
        assertTrue(last < first - 0.1, folder + ": the loss did not fall: " + first + " → " + last);

        JsonNode eval = runJson("vit", "eval", "--model", model.toString(), "--adapter", out.toString(), "--data",
                VitCommandsTest.TEST.toString());
        assertEquals(797, eval.get("count").asLong());
        assertEquals(trained.get("test_accuracy").asDouble(), eval.get("accuracy").asDouble(), 1e-6);
    }

    @Test
    void sparkLocal2TrainsADinov2FolderLikeOneProcess() throws IOException {
        Path model = FIXTURES.resolve("hf_dinov2");
        List<String> common = List.of("vit", "train", "--model", model.toString(), "--train",
                VitCommandsTest.TRAIN.toString(), "--eval", VitCommandsTest.TEST.toString(), "--method", "wegeft",
                "--rank", "4", "--steps", "3", "--batch", "8", "--lr", "1e-2", "--no-progress", "--out");
        List<String> spark = new ArrayList<>(common);
        spark.addAll(List.of(dir.resolve("two").toString(), "--spark-master", "local[2]", "--replicas", "2"));
        List<String> local = new ArrayList<>(common);
        local.add(dir.resolve("one").toString());
        JsonNode a = runJson(local.toArray(String[]::new));
        JsonNode b = runJson(spark.toArray(String[]::new));
        assertEquals(3, b.get("steps").asLong());
        assertEquals(a.get("test_accuracy").asDouble(), b.get("test_accuracy").asDouble(), 1e-9);
    }
}
