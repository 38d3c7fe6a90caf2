package org.wegeft.vision.train;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.data.ArrowDataset;
import org.wegeft.nn.data.DataLoader;
import org.wegeft.nn.data.DataPaths;
import org.wegeft.nn.data.DatasetException;
import org.wegeft.nn.data.LoaderOptions;
import org.wegeft.nn.data.SampleReader;
import org.wegeft.vision.ImageClassifier;
import org.wegeft.vision.ImageInput;
import org.wegeft.vision.VitConfig;
import org.wegeft.vision.data.ImageBatch;
import org.wegeft.vision.data.ImageLoaders;
import org.wegeft.vision.data.ImagePipeline;
import org.wegeft.vision.data.ImageSample;

/** Image-classification data sets (Arrow, Parquet) → loaders with the model's input size and normalisation. */
public final class VitData {
    private VitData() {}

    /**
     * Opens {@code file} (image + integer label columns): an Arrow or Parquet file, a glob of them
     * ({@code data/train-*.parquet}), a folder of Parquet shards, or a {@code save_to_disk} folder.
     *
     * @param what the file's role, named in the error when it is missing (for example "train", or a flag)
     * @throws DatasetException when the file is missing or not a valid image-classification data set
     */
    public static ArrowDataset open(String what, Path file, String imageColumn, String labelColumn) {
        if (!DataPaths.isGlob(file) && !Files.exists(file)) {
            throw new DatasetException(file, null, what + ": no such file");
        }
        return ImageLoaders.open(file, imageColumn, labelColumn);
    }

    /**
     * Fine-tuning input: the whole image resized to the model's size (VTAB-1k style, no augmentation), normalised
     * with the config's mean/std.
     */
    public static ImagePipeline plain(VitConfig cfg) {
        return plain(cfg.input());
    }

    /** {@link #plain(VitConfig)} for a model of any family. */
    public static ImagePipeline plain(ImageInput in) {
        return ImagePipeline.resize(in.size(), false, in.mean(), in.std());
    }

    /** Pretraining input: random-resized crop (scale 0.6–1, ratio 3/4–4/3) and horizontal flip. */
    public static ImagePipeline augmented(VitConfig cfg) {
        return ImagePipeline.train(cfg.imgSize(), cfg.imageMean(), cfg.imageStd()).withScale(0.6, 1.0);
    }

    /** Top-1 accuracy of {@code model} on {@code rows}, batches of 256, the model's plain input pipeline. */
    public static Accuracy evaluate(ImageClassifier model, Rows rows, String imageColumn, String labelColumn,
            int workers) {
        return evaluate(model, rows, imageColumn, labelColumn, 256, workers);
    }

    /** {@link #evaluate(ImageClassifier, Rows, String, String, int)} in batches of {@code batch} images. */
    public static Accuracy evaluate(ImageClassifier model, Rows rows, String imageColumn, String labelColumn,
            int batch, int workers) {
        try (DataLoader<ImageBatch> loader = evalLoader(rows, imageColumn, labelColumn, plain(model.input()), batch,
                workers)) {
            return Classification.evaluate(model.module(), loader);
        }
    }

    public static DataLoader<ImageBatch> trainLoader(ArrowDataset ds, String imageColumn, String labelColumn,
            ImagePipeline pipeline, int batch, long seed, int workers) {
        return trainLoader(Rows.all(ds), imageColumn, labelColumn, pipeline, batch, seed, workers);
    }

    public static DataLoader<ImageBatch> evalLoader(ArrowDataset ds, String imageColumn, String labelColumn,
            ImagePipeline pipeline, int batch, int workers) {
        return evalLoader(Rows.all(ds), imageColumn, labelColumn, pipeline, batch, workers);
    }

    public static DataLoader<ImageBatch> trainLoader(Rows rows, String imageColumn, String labelColumn,
            ImagePipeline pipeline, int batch, long seed, int workers) {
        int bs = Math.min(batch, Math.max(1, rows.size()));
        return loader(rows, imageColumn, labelColumn, pipeline, LoaderOptions.train(bs, seed).withWorkers(workers));
    }

    public static DataLoader<ImageBatch> evalLoader(Rows rows, String imageColumn, String labelColumn,
            ImagePipeline pipeline, int batch, int workers) {
        return loader(rows, imageColumn, labelColumn, pipeline, LoaderOptions.eval(batch).withWorkers(workers));
    }

    private static DataLoader<ImageBatch> loader(Rows rows, String imageColumn, String labelColumn,
            ImagePipeline pipeline, LoaderOptions opts) {
        if (rows.rows() == null) {
            return ImageLoaders.classification(rows.ds(), imageColumn, labelColumn, null, pipeline, opts);
        }
        int[] idx = rows.rows();
        return DataLoader.create(idx.length, () -> {
            SampleReader<ImageSample> r = ImageLoaders.reader(rows.ds(), imageColumn, labelColumn, null, pipeline);
            return (i, seed) -> r.read(idx[i], seed);
        }, samples -> ImageBatch.collate(samples, pipeline.size()), opts);
    }

    /** Some rows of a data set (all of them when {@code rows} is null). */
    public record Rows(ArrowDataset ds, int @Nullable [] rows) {
        public static Rows all(ArrowDataset ds) {
            return new Rows(ds, null);
        }

        public int size() {
            return rows == null ? ds.size() : rows.length;
        }

        /**
         * A seeded split of all rows: the first {@code n - held} of a shuffle train, the last {@code held} are
         * held out (VTAB-1k's 800/200 split for choosing hyper-parameters).
         */
        public static Rows[] split(ArrowDataset ds, int held, long seed) {
            int n = ds.size();
            if (held <= 0 || held >= n) {
                throw new IllegalArgumentException("cannot hold out " + held + " of " + n + " rows of " + ds.file());
            }
            int[] p = new int[n];
            for (int i = 0; i < n; i++) {
                p[i] = i;
            }
            java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
            return new Rows[] {new Rows(ds, java.util.Arrays.copyOfRange(p, 0, n - held)),
                new Rows(ds, java.util.Arrays.copyOfRange(p, n - held, n))};
        }
    }
}
