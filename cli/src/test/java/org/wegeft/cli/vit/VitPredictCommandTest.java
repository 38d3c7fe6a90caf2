package org.wegeft.cli.vit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wegeft.cli.CliRun.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.wegeft.cli.CliRun.Result;

/**
 * {@code wegeft vit predict} against tools/fixtures/make_image_processor_fixtures.py: a tiny random
 * ViTForImageClassification whose softmax the script computed in PyTorch on pixels prepared like Hugging Face's
 * CLIPImageProcessor (its preprocessor_config.json) and like the model config's defaults (without that file).
 */
class VitPredictCommandTest {
    static final JsonMapper JSON = new JsonMapper();
    static final Path FIXTURES = Path.of("src", "test", "resources", "fixtures", "vit_predict");
    static final Path MODEL = FIXTURES.resolve("model");
    static final Path IMAGES = Path.of("..", "vision", "src", "test", "resources", "fixtures", "images");
    static final List<String> NAMES = List.of("china.jpg", "flower.jpg", "exif_6.jpg", "palette.png");
    static final String[] LABELS = {"tabby cat", "great wall", "daisy", "lighthouse", "teapot", "mountain bike",
        "red fox"};

    @TempDir
    Path dir;

    private static List<JsonNode> predict(Path model, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("vit", "predict", "--model", model.toString(), "--image"));
        NAMES.forEach(n -> args.add(IMAGES.resolve(n).toString()));
        args.addAll(List.of(extra));
        Result r = run(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        List<JsonNode> lines = new ArrayList<>();
        for (String line : r.out().strip().split("\n")) {
            lines.add(JSON.readTree(line));
        }
        assertEquals(NAMES.size(), lines.size(), r.out());
        return lines;
    }

    /** Checks each line against the reference probabilities under {@code key}; returns the largest difference. */
    private static double compare(List<JsonNode> lines, String key, int k) throws IOException {
        JsonNode expected = JSON.readTree(FIXTURES.resolve("expected.json").toFile()).get("probabilities");
        double max = 0;
        for (int i = 0; i < NAMES.size(); i++) {
            JsonNode line = lines.get(i);
            assertEquals(IMAGES.resolve(NAMES.get(i)).toString(), line.get("image").asText());
            JsonNode want = expected.get(NAMES.get(i)).get(key);
            JsonNode top = line.get("top");
            assertEquals(k, top.size());
            double prev = 1;
            for (JsonNode p : top) {
                int id = p.get("id").asInt();
                assertEquals(LABELS[id], p.get("label").asText());
                double prob = p.get("prob").asDouble();
                assertTrue(prob <= prev, "most probable first: " + top);
                prev = prob;
                max = Math.max(max, Math.abs(prob - want.get(id).asDouble()));
            }
            // the K best of the reference are the K listed (reference probabilities are well apart at the cut)
            List<Double> sorted = new ArrayList<>();
            want.forEach(v -> sorted.add(v.asDouble()));
            sorted.sort(null);
            assertEquals(sorted.get(sorted.size() - k), want.get(top.get(k - 1).get("id").asInt()).asDouble(), 1e-3);
        }
        return max;
    }

    @Test
    void probabilitiesEqualPyTorchOnTheProcessorsPixels() throws IOException {
        double max = compare(predict(MODEL, "--top", "7"), "preprocessor", 7);
        System.out.printf("vit predict with preprocessor_config.json: max |prob - reference| = %.2e%n", max);
        assertTrue(max <= 1e-3, "max diff " + max);
    }

    @Test
    void withoutPreprocessorConfigTheModelConfigSetsTheInput() throws IOException {
        Path plain = Files.createDirectories(dir.resolve("plain"));
        for (String f : List.of("config.json", "model.safetensors")) {
            Files.copy(MODEL.resolve(f), plain.resolve(f));
        }
        double max = compare(predict(plain, "--top", "7"), "config", 7);
        System.out.printf("vit predict with the config's defaults: max |prob - reference| = %.2e%n", max);
        assertTrue(max <= 1e-3, "max diff " + max);
    }

    @Test
    void topDefaultsToFive() throws IOException {
        compare(predict(MODEL), "preprocessor", 5);
        compare(predict(MODEL, "--top", "2"), "preprocessor", 2);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--top 0|--top",
        "--image NOPE|NOPE",
        "--image CONFIG|config.json",
        "--model NOPE|--model",
        "--adapter NOPE|--adapter",
    })
    void badFlagsAndFilesExitWithStatusTwoNamingThem(String flags, String named) {
        List<String> args = new ArrayList<>(List.of("vit", "predict", "--model", MODEL.toString()));
        String[] f = flags.split(" ");
        String value = switch (f[1]) {
            case "NOPE" -> dir.resolve("nope").toString();
            case "CONFIG" -> MODEL.resolve("config.json").toString();
            default -> f[1];
        };
        if (f[0].equals("--model")) {
            args.set(3, value);
        } else {
            args.addAll(List.of(f[0], value));
        }
        if (!f[0].equals("--image")) {
            args.addAll(List.of("--image", IMAGES.resolve("china.jpg").toString()));
        }
        Result r = run(args.toArray(String[]::new));
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().contains(named.equals("NOPE") ? "nope" : named), r.err());
    }

    @Test
    void aBadPreprocessorConfigNamesItsFileAndKey() throws IOException {
        Path bad = Files.createDirectories(dir.resolve("bad"));
        for (String f : List.of("config.json", "model.safetensors")) {
            Files.copy(MODEL.resolve(f), bad.resolve(f));
        }
        Files.writeString(bad.resolve("preprocessor_config.json"), "{\"resample\": 9}");
        Result r = run("vit", "predict", "--model", bad.toString(), "--image", IMAGES.resolve("china.jpg").toString());
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains(bad.resolve("preprocessor_config.json") + ": 'resample'"), r.err());

        Files.writeString(bad.resolve("preprocessor_config.json"), "{\"size\": {\"height\": 48, \"width\": 48}}");
        r = run("vit", "predict", "--model", bad.toString(), "--image", IMAGES.resolve("china.jpg").toString());
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("'size'") && r.err().contains("32x32"), r.err());
    }
}
