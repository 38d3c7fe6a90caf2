package org.wegeft.vision.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.wegeft.nn.data.ArrowDataset;
import org.wegeft.nn.data.DataLoader;
import org.wegeft.nn.train.Trainer;
import org.wegeft.vision.VisionTransformer;
import org.wegeft.vision.VitConfig;
import org.wegeft.vision.data.ImageBatch;

/**
 * Training a small ViT from scratch for classification (the committed Fashion-MNIST model's recipe): timm's layout
 * with a class token, the augmented input pipeline ({@link VitData#augmented}), AdamW with warm-up and cosine.
 */
public final class VitPretraining {
    private VitPretraining() {
    }

    /** What a run made: the trained model, its steps and its training time. */
    public record Result(VisionTransformer model, long steps, double trainSeconds) {}

    /**
     * A ViT of the given shape for {@code classes} labels: class-token pooling, pre-norm blocks, LayerNorm ε 1e-6,
     * the default image mean and std, and {@code labels} as its label names (empty: none).
     */
    public static VitConfig config(int img, int patch, int width, int depth, int heads, double mlpRatio, int classes,
            List<String> labels) {
        VitConfig base = VitConfig.of(img, patch, width, depth, heads, classes);
        return new VitConfig(base.imgSize(), base.patchSize(), 3, classes, width, depth, heads, mlpRatio, true, true,
                "token", false, 0.0, 1e-6, base.imageMean(), base.imageStd(), "bilinear", labels);
    }

    /**
     * Trains a new model of {@code cfg}, initialised from the recipe's seed, on {@code train}, and saves it with its
     * training log ({@code train_log.jsonl}) to {@code out}.
     */
    public static Result run(VitConfig cfg, ArrowDataset train, String imageColumn, String labelColumn, Recipe recipe,
            int workers, Path out) throws IOException {
        VisionTransformer model = new VisionTransformer(cfg, recipe.seed());
        Files.createDirectories(out);
        long steps;
        double seconds;
        try (DataLoader<ImageBatch> loader = VitData.trainLoader(train, imageColumn, labelColumn,
                VitData.augmented(cfg), recipe.batchSize(), recipe.seed(), workers)) {
            var config = recipe.trainConfig(loader.batchesPerEpoch(), 10).withOutput(out, 0);
            var trainer = new Trainer<>(model, config, Classification.loss(recipe.labelSmoothing()),
                    loader.asBatchSource(b -> b, ImageBatch::batchSize));
            long t0 = System.nanoTime();
            steps = trainer.run().steps();
            seconds = (System.nanoTime() - t0) / 1e9;
        }
        Files.move(out.resolve("metrics.jsonl"), out.resolve("train_log.jsonl"), StandardCopyOption.REPLACE_EXISTING);
        model.save(out);
        return new Result(model, steps, seconds);
    }
}
