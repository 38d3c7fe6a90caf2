package org.wegeft.vision.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.data.ArrowDataset;
import org.wegeft.nn.data.DataLoader;
import org.wegeft.nn.train.RunFiles;
import org.wegeft.nn.train.SampleStats;
import org.wegeft.nn.train.Trainer;
import org.wegeft.peft.FineTuningMethod;
import org.wegeft.peft.PeftModel;
import org.wegeft.peft.TrainableReport;
import org.wegeft.tensor.MemoryStats;
import org.wegeft.vision.ImageClassifier;
import org.wegeft.vision.VisionFamilies;
import org.wegeft.vision.VisionTransformer;
import org.wegeft.vision.data.ImageBatch;

/**
 * Adapts a pretrained vision model folder (any family of {@link VisionFamilies}) to an Arrow classification set with one {@link FineTuningMethod}: new head for the
 * training set's classes, method applied, {@link Trainer} run (AdamW, warm-up + cosine), test accuracy, and
 * optionally the adapter folder (WeGeFT, LoRA) or the whole fine-tuned model (other methods) saved.
 *
 * @param imageColumn  image column of both files
 * @param labelColumn  integer label column of both files
 * @param workers      data loader threads
 * @param progress     where the trainer's progress line goes (null: nowhere)
 * @param inPlace      redraw the progress line in place
 * @param files        metrics, checkpoints and the checkpoint to resume from
 * @param recomputeActivations let the norms' and the MLP activation's outputs go after forward and compute them
 *                     again in backward ({@link VisionTransformer#recomputeActivations(boolean)})
 */
public record FineTuner(String imageColumn, String labelColumn, int workers, @Nullable PrintStream progress,
        boolean inPlace, RunFiles files, boolean recomputeActivations) {

    public FineTuner(String imageColumn, String labelColumn, int workers, @Nullable PrintStream progress,
            boolean inPlace) {
        this(imageColumn, labelColumn, workers, progress, inPlace, RunFiles.NONE, false);
    }

    /** A model and its method, ready to train. */
    public record Prepared(ImageClassifier model, PeftModel peft) {
        /** Saves the adapter folder, or for a method without one (full, probe, BitFit) the whole model. */
        public void save(FineTuningMethod method, Path dir) throws IOException {
            if (method.writesAdapter()) {
                peft.save(dir);
            } else {
                model.save(dir);
            }
        }
    }

    /**
     * Loads {@code modelDir} with its family, gives it a new head of {@code classes} outputs and applies
     * {@code method} on {@code targets} (empty: the family's default targets).
     */
    public static Prepared prepare(Path modelDir, FineTuningMethod method, int classes, int rank, List<String> targets,
            long seed) {
        return prepare(modelDir, method, classes, List.of(), rank, targets, seed);
    }

    /** {@link #prepare(Path, FineTuningMethod, int, int, List, long)} recording the class names in the config. */
    public static Prepared prepare(Path modelDir, FineTuningMethod method, int classes, List<String> classNames,
            int rank, List<String> targets, long seed) {
        ImageClassifier model = VisionFamilies.fromPretrained(modelDir);
        model.resetHead(classes, classNames, new SplittableRandom(seed ^ 0x5EED));
        PeftModel peft = VitFineTuning.apply(method, model, rank, targets, seed);
        return new Prepared(model, peft);
    }

    /**
     * Fine-tunes the model folder {@code modelDir} with {@code method} (rank {@code rank} on {@code targets}) on
     * {@code train} following {@code recipe}, measures top-1 accuracy on {@code test}, and saves the adapter folder
     * (or, for a method without one, the whole model) to {@code saveTo} unless it is null. The result's tensor memory
     * is the tensor pool's peak from the start of this call ({@link MemoryStats#resetPeaks}): tensors other code
     * holds meanwhile count too.
     */
    public FineTuneResult run(Path modelDir, FineTuningMethod method, int rank, List<String> targets, ArrowDataset train,
            ArrowDataset test, Recipe recipe, @Nullable Path saveTo) throws IOException {
        return run(modelDir, method, rank, targets, VitData.Rows.all(train), VitData.Rows.all(test), recipe, saveTo);
    }

    /** {@link #run(Path, FineTuningMethod, int, List, ArrowDataset, ArrowDataset, Recipe, Path)} on some rows. */
    public FineTuneResult run(Path modelDir, FineTuningMethod method, int rank, List<String> targets, VitData.Rows train,
            VitData.Rows test, Recipe recipe, @Nullable Path saveTo) throws IOException {
        MemoryStats.resetPeaks();
        int classes = Math.max(train.ds().numClasses(labelColumn), test.ds().numClasses(labelColumn));
        List<String> names = train.ds().classNames(labelColumn);     // a save_to_disk folder's ClassLabel names
        Prepared p = prepare(modelDir, method, classes, names.size() == classes ? names : List.of(), rank, targets,
                recipe.seed());
        p.model().recomputeActivations(recomputeActivations);
        TrainableReport report = p.peft().trainableReport();
        double seconds;
        long steps;
        List<Long> stepNanos = new ArrayList<>();
        try (DataLoader<ImageBatch> loader = VitData.trainLoader(train, imageColumn, labelColumn,
                VitData.plain(p.model().input()), recipe.batchSize(), recipe.seed(), workers)) {
            long total = recipe.totalSteps(loader.batchesPerEpoch());
            var config = files.apply(recipe.trainConfig(loader.batchesPerEpoch(), Math.max(1, total / 20)));
            var trainer = files.apply(new Trainer<>(p.model().module(), config, Classification.loss(recipe.labelSmoothing()),
                    loader.asBatchSource(b -> b, ImageBatch::batchSize)).progress(progress, inPlace)
                    .onStep((step, loss, nanos) -> stepNanos.add(nanos)));
            long t0 = System.nanoTime();
            steps = trainer.run().steps();
            seconds = (System.nanoTime() - t0) / 1e9;
        }
        // the blocks training cached are not the sizes evaluation's larger batches ask for: kept, they would stay
        // resident beside evaluation's own
        MemoryStats.releaseCached();
        Accuracy acc = VitData.evaluate(p.model(), test, imageColumn, labelColumn, workers);
        if (saveTo != null) {
            p.save(method, saveTo);
        }
        long images = steps * Math.min(recipe.batchSize(), train.size());
        return new FineTuneResult(method.name(), report.trainable(), report.total(), acc.accuracy(), acc.count(),
                seconds, -1, recipe.lr(), steps, images / Math.max(1e-9, seconds), recipe.seed(),
                SampleStats.millis(stepNanos), MemoryStats.current().peakLiveBytes() / (double) (1 << 20));
    }
}
