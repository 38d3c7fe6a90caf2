package org.wegeft.cli.vit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wegeft.cli.CliRun.lossesByStep;
import static org.wegeft.cli.CliRun.run;
import static org.wegeft.cli.CliRun.runJson;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.wegeft.cli.CliRun.Result;
import org.wegeft.nn.data.ArrowDataset;
import org.wegeft.nn.data.ArrowWriter;
import org.wegeft.vision.VisionTransformer;
import org.wegeft.vision.VitConfig;
import org.wegeft.vision.train.VitData;

/** {@code wegeft vit train|eval|pretrain}, {@code demo vit} and {@code bench data-vs-train}: bad input and tiny runs. */
class VitCommandsTest {
    static final JsonMapper JSON = new JsonMapper();
    static final Path TRAIN = Path.of("..", "examples", "data", "digits-train.arrow");
    static final Path TEST = Path.of("..", "examples", "data", "digits-test.arrow");

    @TempDir
    static Path shared;
    static Path tinyModel;

    @TempDir
    Path dir;

    /** A randomly initialised 2-block ViT (28 px, patch 7, width 32) saved as a model folder. */
    static Path tinyModel(Path dir) throws IOException {
        VitConfig cfg = VitConfig.of(28, 7, 32, 2, 2, 10);
        new VisionTransformer(cfg, 7).save(dir);
        return dir;
    }

    @BeforeAll
    static void saveTinyModel() throws IOException {
        tinyModel = tinyModel(shared.resolve("tiny"));
    }

    static Stream<Arguments> badInput() {
        return Stream.of(
                Arguments.of("train without --model", (Function<Path, String[]>) d -> new String[] {"vit", "train",
                        "--train", TRAIN.toString(), "--eval", TEST.toString(), "--method", "wegeft"}, "--model"),
                Arguments.of("unknown method", (Function<Path, String[]>) d -> args("train", d, "--method", "adalora"),
                        "adalora"),
                Arguments.of("missing training file", (Function<Path, String[]>) d -> new String[] {"vit", "train",
                        "--model", tinyModel.toString(), "--train", d.resolve("nope.arrow").toString(), "--eval",
                        TEST.toString(), "--method", "lora"}, "nope.arrow"),
                Arguments.of("rank 0", (Function<Path, String[]>) d -> args("train", d, "--method", "wegeft",
                        "--rank", "0"), "--rank"),
                Arguments.of("target matching nothing", (Function<Path, String[]>) d -> args("train", d, "--method",
                        "lora", "--targets", "attn.nope", "--steps", "1"), "attn.nope"),
                Arguments.of("wrong label column", (Function<Path, String[]>) d -> args("train", d, "--method",
                        "probe", "--label-column", "digit"), "digit"),
                Arguments.of("recomputed activations on Spark", (Function<Path, String[]>) d -> args("train", d,
                        "--method", "wegeft", "--steps", "1", "--spark-master", "local[2]",
                        "--recompute-activations"), "--recompute-activations"),
                Arguments.of("model folder missing", (Function<Path, String[]>) d -> new String[] {"vit", "eval",
                        "--model", d.resolve("none").toString(), "--data", TEST.toString()}, "--model"),
                Arguments.of("adapter folder missing", (Function<Path, String[]>) d -> new String[] {"vit", "eval",
                        "--model", tinyModel.toString(), "--adapter", d.resolve("none").toString(), "--data",
                        TEST.toString()}, "--adapter"),
                Arguments.of("eval data not Arrow", (Function<Path, String[]>) d -> new String[] {"vit", "eval",
                        "--model", tinyModel.toString(), "--data", tinyModel.resolve("config.json").toString()},
                        "config.json"),
                Arguments.of("eval data a truncated Parquet file", (Function<Path, String[]>) d -> new String[] {
                        "vit", "eval", "--model", tinyModel.toString(), "--data", truncatedParquet(d).toString()},
                        "cut.parquet"),
                Arguments.of("eval glob matching nothing", (Function<Path, String[]>) d -> new String[] {"vit",
                        "eval", "--model", tinyModel.toString(), "--data", d.resolve("digits-*.parquet").toString()},
                        "digits-*.parquet"),
                Arguments.of("pretrain data missing", (Function<Path, String[]>) d -> new String[] {"vit",
                        "pretrain", "--data", d.resolve("fm").toString(), "--out", d.resolve("o").toString()},
                        "--data"),
                Arguments.of("demo unknown method", (Function<Path, String[]>) d -> new String[] {"demo", "vit",
                        "--methods", "wegeft,magic", "--out", d.toString()}, "magic"),
                Arguments.of("demo model without config", (Function<Path, String[]>) d -> new String[] {"demo",
                        "vit", "--model", d.toString(), "--out", d.resolve("o").toString()}, "--model"),
                Arguments.of("bench batch 0", (Function<Path, String[]>) d -> new String[] {"bench", "data-vs-train",
                        "--batch", "0"}, "--batch"),
                Arguments.of("vit without subcommand", (Function<Path, String[]>) d -> new String[] {"vit"},
                        "missing command"));
    }

    static String[] args(String cmd, Path d, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("vit", cmd, "--model", tinyModel.toString(), "--train",
                TRAIN.toString(), "--eval", TEST.toString(), "--no-progress"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    /** The training digits written as datasets' save_to_disk writes them: two stream shards, a ClassLabel. */
    static Path savedDigits(Path folder, List<String> names) throws IOException {
        ArrowDataset ds = VitData.open("train", TRAIN, "image", "label");
        Files.createDirectories(folder);
        int[][] ranges = {{0, 600}, {600, ds.size()}};
        StringBuilder files = new StringBuilder();
        for (int s = 0; s < ranges.length; s++) {
            List<byte[]> images = new java.util.ArrayList<>();
            List<String> paths = new java.util.ArrayList<>();
            long[] labels = new long[ranges[s][1] - ranges[s][0]];
            for (int r = ranges[s][0]; r < ranges[s][1]; r++) {
                images.add(ds.bytes("image", r));
                paths.add(ds.imagePath("image", r));
                labels[r - ranges[s][0]] = ds.integer("label", r);
            }
            String name = String.format("data-%05d-of-%05d.arrow", s, ranges.length);
            new ArrowWriter().imageStruct("image", images, paths).integers("label", 64, labels)
                    .write(folder.resolve(name), ArrowWriter.Format.STREAM);
            files.append(s == 0 ? "" : ", ").append("{\"filename\": \"").append(name).append("\"}");
        }
        Files.writeString(folder.resolve("state.json"), "{\"_data_files\": [" + files + "], \"_split\": \"train\"}");
        Files.writeString(folder.resolve("dataset_info.json"), "{\"features\": {\"image\": {\"_type\": \"Image\"},"
                + " \"label\": {\"names\": " + JSON.writeValueAsString(names) + ", \"_type\": \"ClassLabel\"}}}");
        return folder;
    }

    @Test
    void aSaveToDiskFolderTrainsAsTheArrowFileAndEvalNamesTheClasses() throws IOException {
        List<String> names = List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine");
        Path saved = savedDigits(dir.resolve("digits-saved"), names);
        Path fromFile = dir.resolve("from-file");
        Path fromFolder = dir.resolve("from-folder");
        Result a = run(args("train", dir, "--method", "wegeft", "--steps", "3", "--batch", "8", "--out",
                fromFile.toString()));
        List<String> folderArgs = new java.util.ArrayList<>(List.of(args("train", dir, "--method", "wegeft", "--steps",
                "3", "--batch", "8", "--out", fromFolder.toString())));
        folderArgs.set(folderArgs.indexOf(TRAIN.toString()), saved.toString());
        Result b = run(folderArgs.toArray(String[]::new));
        assertTrainedAlike(a, fromFile, b, fromFolder);

        JsonNode eval = runJson("vit", "eval", "--model", tinyModel.toString(), "--adapter", fromFolder.toString(),
                "--data", saved.toString());
        assertEquals(1000, eval.get("count").asLong());
        assertEquals(names, JSON.convertValue(eval.get("class_names"), List.class));
    }

    @Test
    void parquetFilesTrainAsTheArrowFilesAndEvalNamesTheClasses() throws IOException {
        Path parquetTrain = TRAIN.resolveSibling("digits-train.parquet");
        Path parquetTest = TEST.resolveSibling("digits-test.parquet");
        Path fromArrow = dir.resolve("from-arrow");
        Path fromParquet = dir.resolve("from-parquet");
        Result a = run(args("train", dir, "--method", "wegeft", "--steps", "3", "--batch", "8", "--out",
                fromArrow.toString()));
        Result b = run("vit", "train", "--model", tinyModel.toString(), "--train", parquetTrain.toString(), "--eval",
                parquetTest.toString(), "--no-progress", "--method", "wegeft", "--steps", "3", "--batch", "8",
                "--out", fromParquet.toString());
        assertTrainedAlike(a, fromArrow, b, fromParquet);

        // a glob, quoted so that the shell leaves it to us, reads the one test file it matches
        JsonNode eval = runJson("vit", "eval", "--model", tinyModel.toString(), "--adapter", fromParquet.toString(),
                "--data", TEST.resolveSibling("digits-te*.parquet").toString());
        assertEquals(797, eval.get("count").asLong());
        assertEquals(List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
                JSON.convertValue(eval.get("class_names"), List.class), "from the Parquet file's huggingface metadata");
        assertEquals(JSON.readTree(b.out()).get("test_accuracy").asDouble(), eval.get("accuracy").asDouble(), 1e-6);
    }

    /** Two vit train runs that succeeded with the same losses, step by step, and the same test accuracy. */
    static void assertTrainedAlike(Result a, Path outA, Result b, Path outB) throws IOException {
        assertEquals(0, a.status(), a.err());
        assertEquals(0, b.status(), b.err());
        assertEquals(lossesByStep(outA.resolve("metrics.jsonl")), lossesByStep(outB.resolve("metrics.jsonl")));
        assertEquals(JSON.readTree(a.out()).get("test_accuracy"), JSON.readTree(b.out()).get("test_accuracy"));
    }

    /** The digits test Parquet file cut short, so that its footer is gone. */
    static Path truncatedParquet(Path d) {
        try {
            byte[] b = Files.readAllBytes(TEST.resolveSibling("digits-test.parquet"));
            return Files.write(d.resolve("cut.parquet"), java.util.Arrays.copyOf(b, b.length / 2));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"badInput", "badCheckpointFlags"})
    void badInputExitsWithStatusTwoAndOneLine(String name, Function<Path, String[]> args, String mentioned) {
        Result r = run(args.apply(dir));
        assertEquals(2, r.status(), name + ": " + r.err());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), name + ": " + r.err());
        assertTrue(lines.get(0).contains(mentioned), name + ": '" + mentioned + "' not in " + lines.get(0));
    }

    @Test
    void wegeftAdapterTrainedForTwoStepsEvaluatesToTheSameAccuracy() throws IOException {
        Path adapter = dir.resolve("adapter");
        JsonNode trained = runJson(args("train", dir, "--method", "wegeft", "--steps", "2", "--batch", "8", "--out",
                adapter.toString()));
        assertEquals("wegeft", trained.get("method").asText());
        assertEquals(2, trained.get("steps").asLong());
        assertEquals(797, trained.get("test_count").asLong());
        // phi + psi (2 · 16 · 32, tied across both blocks) + the new head (32 · 10 + 10)
        assertEquals(2 * 16 * 32 + 330, trained.get("trainable_params").asLong());
        assertTrue(Files.isRegularFile(adapter.resolve("adapter_config.json")));
        assertTrue(Files.isRegularFile(adapter.resolve("adapter_model.safetensors")));

        JsonNode eval = runJson("vit", "eval", "--model", tinyModel.toString(), "--adapter", adapter.toString(),
                "--data", TEST.toString());
        assertEquals(797, eval.get("count").asLong());
        assertEquals(trained.get("test_accuracy").asDouble(), eval.get("accuracy").asDouble(), 1e-6);
    }

    @Test
    void sparkMasterLocal2TrainsLikeOneProcessOnTheWholeBatch() throws IOException {
        Path one = dir.resolve("one");
        Path two = dir.resolve("two");
        Result a = run(args("train", dir, "--method", "wegeft", "--rank", "4", "--steps", "4", "--batch", "8",
                "--out", one.toString()));
        Result b = run(args("train", dir, "--method", "wegeft", "--rank", "4", "--steps", "4", "--batch", "8",
                "--out", two.toString(), "--spark-master", "local[2]", "--replicas", "2"));
        assertEquals(0, a.status(), a.err());
        assertEquals(0, b.status(), b.err());
        JsonNode ja = JSON.readTree(a.out());
        JsonNode jb = JSON.readTree(b.out());
        assertEquals(4, jb.get("steps").asLong());
        assertEquals(ja.get("test_accuracy").asDouble(), jb.get("test_accuracy").asDouble(), 1e-9);
        var la = lossesByStep(one.resolve("metrics.jsonl"));
        var lb = lossesByStep(two.resolve("metrics.jsonl"));
        assertEquals(la.keySet(), lb.keySet());
        la.forEach((step, loss) -> assertEquals(Double.parseDouble(loss), Double.parseDouble(lb.get(step)), 1e-4,
                "loss of step " + step + " (the replicas' mean = the whole batch's)"));
        assertTrue(Files.isRegularFile(two.resolve("adapter_model.safetensors")));
    }

    @Test
    void recomputedActivationsTrainTheSameLossesBitForBit() throws IOException {
        Path kept = dir.resolve("kept");
        Path recomputed = dir.resolve("recomputed");
        Result a = run(args("train", dir, "--method", "lora", "--rank", "4", "--targets", "qkv,fc1,fc2", "--steps",
                "3", "--batch", "8", "--out", kept.toString()));
        Result b = run(args("train", dir, "--method", "lora", "--rank", "4", "--targets", "qkv,fc1,fc2", "--steps",
                "3", "--batch", "8", "--out", recomputed.toString(), "--recompute-activations"));
        assertEquals(0, a.status(), a.err());
        assertEquals(0, b.status(), b.err());
        assertEquals(lossesByStep(kept.resolve("metrics.jsonl")), lossesByStep(recomputed.resolve("metrics.jsonl")));
        assertEquals(JSON.readTree(a.out()).get("test_accuracy").asDouble(),
                JSON.readTree(b.out()).get("test_accuracy").asDouble());
    }

    @Test
    void aMasterUrlSparkCannotParseIsABadSparkMasterFlag() {
        Result r = run(args("train", dir, "--method", "wegeft", "--steps", "1", "--batch", "8", "--spark-master",
                "bogus://nowhere", "--replicas", "2"));
        assertEquals(2, r.status(), r.err());
        String first = r.err().lines().filter(l -> l.startsWith("wegeft")).findFirst().orElse(r.err());
        assertTrue(first.contains("--spark-master 'bogus://nowhere'") && first.contains("Master URL")
                && !first.contains("internal error"), first);
    }

    @Test
    void bitFitSavesAWholeModelThatEvaluatesToTheSameAccuracy() throws IOException {
        Path out = dir.resolve("bitfit");
        JsonNode trained = runJson(args("train", dir, "--method", "bitfit", "--steps", "2", "--batch", "8", "--out",
                out.toString()));
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
        JsonNode eval = runJson("vit", "eval", "--model", out.toString(), "--data", TEST.toString());
        assertEquals(trained.get("test_accuracy").asDouble(), eval.get("accuracy").asDouble(), 1e-6);
    }


    @Test
    void resumedTrainingLogsTheSameLossesBitForBitAsAnUninterruptedRun() throws IOException {
        Path full = dir.resolve("full");
        Result a = run(args("train", dir, "--method", "wegeft", "--rank", "4", "--steps", "4", "--batch", "8",
                "--checkpoint-every", "2", "--out", full.toString()));
        assertEquals(0, a.status(), a.err());
        assertTrue(Files.isRegularFile(full.resolve("checkpoints/checkpoint-2/trainer_state.json")));
        assertTrue(Files.isRegularFile(full.resolve("checkpoints/checkpoint-4/trainer_state.json")));
        Path resumed = dir.resolve("resumed");
        Result b = run(args("train", dir, "--method", "wegeft", "--rank", "4", "--steps", "4", "--batch", "8",
                "--resume", full.resolve("checkpoints/checkpoint-2").toString(), "--out", resumed.toString()));
        assertEquals(0, b.status(), b.err());

        var uninterrupted = lossesByStep(full.resolve("metrics.jsonl"));
        assertEquals(List.of(1L, 2L, 3L, 4L), List.copyOf(uninterrupted.keySet()));
        var continued = lossesByStep(resumed.resolve("metrics.jsonl"));
        assertEquals(List.of(3L, 4L), List.copyOf(continued.keySet()));
        assertEquals(uninterrupted.get(3L), continued.get(3L));
        assertEquals(uninterrupted.get(4L), continued.get(4L));
        assertEquals(JSON.readTree(a.out()).get("test_accuracy").asDouble(),
                JSON.readTree(b.out()).get("test_accuracy").asDouble());
    }

    static Stream<Arguments> badCheckpointFlags() {
        return Stream.of(
                Arguments.of("resume from a missing folder", (Function<Path, String[]>) d -> args("train", d,
                        "--method", "probe", "--steps", "1", "--resume", d.resolve("gone").toString()), "gone"),
                Arguments.of("resume from a folder without checkpoints", (Function<Path, String[]>) d -> args("train",
                        d, "--method", "probe", "--steps", "1", "--resume", d.toString()), "--resume: no complete checkpoint in"),
                Arguments.of("checkpoints without --out", (Function<Path, String[]>) d -> args("train", d,
                        "--method", "probe", "--steps", "1", "--checkpoint-every", "1"), "--checkpoint-every"));
    }

    @Test
    void trainRefusesANonEmptyOutFolder() throws IOException {
        Files.writeString(dir.resolve("keep.txt"), "x");
        Result r = run(args("train", dir, "--method", "probe", "--steps", "1", "--out", dir.toString()));
        assertEquals(2, r.status());
        assertTrue(r.err().contains("not empty"), r.err());
        assertTrue(Files.exists(dir.resolve("keep.txt")));
    }
}
