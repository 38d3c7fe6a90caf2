package org.wegeft.vision.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.nn.data.ArrowDataset;
import org.wegeft.nn.data.ArrowWriter;
import org.wegeft.nn.data.DataLoader;
import org.wegeft.nn.train.Trainer;
import org.wegeft.peft.FineTuningMethods;
import org.wegeft.vision.data.ImageBatch;

/**
 * The demo digits as the committed Arrow file, as Parquet written by DuckDB (with its ClassLabel names in the
 * {@code huggingface} metadata) and as a two-shard {@code save_to_disk} folder fine-tune to the same losses, bit for
 * bit, and the same test accuracy; the Parquet and saved folder's class names reach the head's config.
 */
class DataSourcesTrainTest {
    static final Path DATA = Path.of("..", "examples", "data");
    static final Path MODEL = DATA.resolve("tiny-vit");
    static final List<String> NAMES = List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
            "nine");

    @TempDir
    Path dir;

    record Run(float[] losses, Accuracy accuracy, List<String> labels) {}

    private static Run run(Path trainPath, Path testPath) {
        ArrowDataset train = VitData.open("train", trainPath, "image", "label");
        ArrowDataset test = VitData.open("test", testPath, "image", "label");
        var p = FineTuner.prepare(MODEL, FineTuningMethods.named("wegeft"), train.numClasses("label"),
                train.classNames("label"), 4, List.of("attn.proj"), 5);
        Recipe recipe = new Recipe(0, 6, 32, 2e-3, 0.0, 0.0, 0f, 5);
        float[] losses;
        try (DataLoader<ImageBatch> loader = VitData.trainLoader(train, "image", "label",
                VitData.plain(p.model().input()), recipe.batchSize(), recipe.seed(), 1)) {
            losses = new Trainer<>(p.model().module(), recipe.trainConfig(loader.batchesPerEpoch(), 1),
                    Classification.loss(recipe.labelSmoothing()), loader.asBatchSource(b -> b, ImageBatch::batchSize))
                    .run().losses();
        }
        Accuracy acc = VitData.evaluate(p.model(), VitData.Rows.all(test), "image", "label", 1);
        return new Run(losses, acc, p.model().labels());
    }

    /** The Arrow file's rows as a save_to_disk folder of two shards, with a ClassLabel feature. */
    private Path saveToDisk(String split) throws IOException {
        ArrowDataset ds = VitData.open(split, DATA.resolve("digits-" + split + ".arrow"), "image", "label");
        Path folder = Files.createDirectories(dir.resolve(split));
        int half = ds.size() / 2;
        int[][] ranges = {{0, half}, {half, ds.size()}};
        for (int s = 0; s < 2; s++) {
            List<byte[]> images = new ArrayList<>();
            List<String> paths = new ArrayList<>();
            long[] labels = IntStream.range(ranges[s][0], ranges[s][1]).mapToLong(r -> ds.integer("label", r))
                    .toArray();
            for (int r = ranges[s][0]; r < ranges[s][1]; r++) {
                images.add(ds.bytes("image", r));
                paths.add("");
            }
            new ArrowWriter().imageStruct("image", images, paths).integers("label", 64, labels)
                    .write(folder.resolve("data-0000" + s + "-of-00002.arrow"), ArrowWriter.Format.STREAM);
        }
        Files.writeString(folder.resolve("dataset_info.json"), "{\"features\": {\"image\": {\"_type\": \"Image\"},"
                + " \"label\": {\"names\": [" + String.join(", ", NAMES.stream().map(n -> "\"" + n + "\"").toList())
                + "], \"_type\": \"ClassLabel\"}}}");
        return folder;
    }

    @Test
    void arrowParquetAndSavedFolderTrainAndEvaluateIdentically() throws IOException {
        Run arrow = run(DATA.resolve("digits-train.arrow"), DATA.resolve("digits-test.arrow"));
        Run parquet = run(DATA.resolve("digits-train.parquet"), DATA.resolve("digits-test.parquet"));
        Run saved = run(saveToDisk("train"), saveToDisk("test"));
        System.out.printf("losses %s, accuracy %d/%d%n", Arrays.toString(arrow.losses()), arrow.accuracy().correct(),
                arrow.accuracy().count());
        assertEquals(6, arrow.losses().length);
        assertTrue(arrow.accuracy().count() > 0);
        for (Run other : List.of(parquet, saved)) {
            assertArrayEquals(arrow.losses(), other.losses());
            assertEquals(arrow.accuracy(), other.accuracy());
            assertEquals(NAMES, other.labels(), "ClassLabel names in the head's config");
        }
        assertEquals(List.of(), arrow.labels(), "an Arrow file has no class names");
    }
}
