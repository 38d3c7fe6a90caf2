package org.wegeft.distributed;

import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.Module;
import org.wegeft.nn.data.ArrowDataset;
import org.wegeft.nn.data.DataLoader;
import org.wegeft.nn.train.BatchSource;
import org.wegeft.nn.train.StepFunction;
import org.wegeft.nn.train.TrainConfig;
import org.wegeft.nn.train.Trainer;
import org.wegeft.peft.FineTuningMethods;
import org.wegeft.vision.ImageInput;
import org.wegeft.vision.VisionFamilies;
import org.wegeft.vision.data.ImageBatch;
import org.wegeft.vision.train.Classification;
import org.wegeft.vision.train.FineTuner;
import org.wegeft.vision.train.Recipe;
import org.wegeft.vision.train.VitData;
import org.wegeft.vision.train.VitFineTuning;

/**
 * Image-classification fine-tuning ({@code wegeft vit train … --spark-master URL}) as a {@link DistributedJob}:
 * every replica loads the model folder and the training file by path (the same paths on every executor: a shared
 * file system on a cluster), applies the method with the run's seed and reads its {@link DataLoader#shard} of every
 * batch. Fields only — it is serialised to the Spark tasks.
 *
 * @param checkpoints folder of the checkpoints (null: none); rank 0 writes them, a retried stage resumes from them
 * @param metrics     metrics.jsonl written by rank 0 (null: none)
 */
public record VitFineTuneJob(String modelDir, String trainFile, String imageColumn, String labelColumn, String method,
        int rank, List<String> targets, int classes, int epochs, long maxSteps, int batch, double lr, long seed,
        int workers, long batchesPerEpoch, @Nullable String checkpoints, long checkpointEvery,
        @Nullable String metrics) implements DistributedJob<ImageBatch> {
    private static final long serialVersionUID = 1L;

    /** The fine-tuning recipe (schedule, learning rate, label smoothing) of the run. */
    public Recipe recipe() {
        return VitFineTuning.recipe(epochs, maxSteps, batch, lr, seed);
    }

    @Override
    public Module createModel() {
        return FineTuner.prepare(Path.of(modelDir), FineTuningMethods.named(method), classes, rank, targets, seed)
                .model().module();
    }

    @Override
    public StepFunction<ImageBatch> step() {
        return Classification.loss(recipe().labelSmoothing());
    }

    @Override
    public TrainConfig config() {
        long total = recipe().totalSteps(batchesPerEpoch);
        TrainConfig c = recipe().trainConfig(batchesPerEpoch, Math.max(1, total / 20));
        return checkpoints == null ? c : c.withOutput(Path.of(checkpoints), checkpointEvery);
    }

    @Override
    public BatchSource<ImageBatch> source(int replica, int replicas) {
        ArrowDataset ds = VitData.open("--train", Path.of(trainFile), imageColumn, labelColumn);
        ImageInput in = VisionFamilies.input(Path.of(modelDir));
        DataLoader<ImageBatch> loader = VitData.trainLoader(ds, imageColumn, labelColumn, VitData.plain(in), batch,
                seed, workers).shard(replica, replicas);
        return loader.asBatchSource(b -> b, ImageBatch::batchSize);   // the replica runner closes it, and the loader
    }

    @Override
    public void configure(Trainer<ImageBatch> trainer, int replica) {
        if (replica == 0 && metrics != null) {
            trainer.metricsFile(Path.of(metrics));
        }
    }
}
