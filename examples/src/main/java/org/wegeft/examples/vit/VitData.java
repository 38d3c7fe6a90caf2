package org.wegeft.examples.vit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.wegeft.nn.data.ArrowDataset;
import org.wegeft.nn.data.DataLoader;
import org.wegeft.nn.data.LoaderOptions;
import org.wegeft.vision.VitConfig;
import org.wegeft.vision.data.ImageBatch;
import org.wegeft.vision.data.ImageLoaders;
import org.wegeft.vision.data.ImagePipeline;

/** Arrow image-classification files → loaders with the model's input size and normalisation. */
final class VitData {
    private VitData() {}

    /** Opens {@code file} (image + integer label columns), naming the flag in the error when it is missing. */
    static ArrowDataset open(String flag, Path file, String imageColumn, String labelColumn) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(flag + ": no such file: " + file);
        }
        return ImageLoaders.open(file, imageColumn, labelColumn);
    }

    /**
     * Fine-tuning input: the whole image resized to the model's size (VTAB-1k style, no augmentation), normalised
     * with the config's mean/std.
     */
    static ImagePipeline plain(VitConfig cfg) {
        return ImagePipeline.resize(cfg.imgSize(), false, cfg.imageMean(), cfg.imageStd());
    }

    /** Pretraining input: random-resized crop (scale 0.6–1, ratio 3/4–4/3) and horizontal flip. */
    static ImagePipeline augmented(VitConfig cfg) {
        return ImagePipeline.train(cfg.imgSize(), cfg.imageMean(), cfg.imageStd()).withScale(0.6, 1.0);
    }

    static DataLoader<ImageBatch> trainLoader(ArrowDataset ds, String imageColumn, String labelColumn,
            ImagePipeline pipeline, int batch, long seed, int workers) {
        int bs = Math.min(batch, Math.max(1, ds.size()));
        return ImageLoaders.classification(ds, imageColumn, labelColumn, null, pipeline,
                LoaderOptions.train(bs, seed).withWorkers(workers));
    }

    static DataLoader<ImageBatch> evalLoader(ArrowDataset ds, String imageColumn, String labelColumn,
            ImagePipeline pipeline, int batch, int workers) {
        return ImageLoaders.classification(ds, imageColumn, labelColumn, null, pipeline,
                LoaderOptions.eval(batch).withWorkers(workers));
    }
}
