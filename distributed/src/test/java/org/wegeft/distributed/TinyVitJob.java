package org.wegeft.distributed;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.Module;
import org.wegeft.nn.train.BatchSource;
import org.wegeft.nn.train.LrSchedule;
import org.wegeft.nn.train.StepFunction;
import org.wegeft.nn.train.TrainConfig;
import org.wegeft.peft.FineTuningMethods;
import org.wegeft.vision.VisionTransformer;
import org.wegeft.vision.VitConfig;
import org.wegeft.vision.data.ImageBatch;
import org.wegeft.vision.train.Classification;
import org.wegeft.vision.train.VitFineTuning;

/**
 * A ViT with a WeGeFT adapter (attn.proj, tied) on synthetic images whose label is the brightest
 * colour channel; {@code globalBatch} images per step, shared equally by the replicas.
 */
record TinyVitJob(int img, int patch, int width, int depth, int heads, int adapterRank, int samples, int globalBatch, long steps, long seed, @Nullable String outputDir,
        long checkpointEvery) implements DistributedJob<ImageBatch> {
    static final int CLASSES = 3;

    static TinyVitJob tiny(long steps, @Nullable String outputDir, long checkpointEvery) {
        return new TinyVitJob(16, 8, 24, 2, 2, 4, 64, 8, steps, 7, outputDir, checkpointEvery);
    }

    VitConfig vit() {
        return VitConfig.of(img, patch, width, depth, heads, CLASSES);
    }

    @Override
    public Module createModel() {
        VisionTransformer m = new VisionTransformer(vit(), seed);
        VitFineTuning.apply(FineTuningMethods.named("wegeft"), m, adapterRank, List.of("attn.proj"), seed);
        return m;
    }

    @Override
    public StepFunction<ImageBatch> step() {
        return Classification.loss(0f);
    }

    @Override
    public TrainConfig config() {
        TrainConfig c = TrainConfig.steps(steps, 1e-2).withSchedule(LrSchedule.Kind.COSINE, 2, 0.1)
                .withWeightDecay(0.01).withGradClip(1.0).withSeed(seed).withLogEvery(5);
        return outputDir == null ? c : c.withOutput(Path.of(outputDir), checkpointEvery);
    }

    @Override
    public BatchSource<ImageBatch> source(int rank, int replicas) {
        return new Images(this, rank, replicas);
    }

    /** The images: pixel noise plus a bias on the label's channel; a seeded order per epoch, cut per replica. */
    record Images(TinyVitJob job, int rank, int replicas) implements BatchSource<ImageBatch> {
        @Override
        public Iterator<ImageBatch> epoch(int epoch, long seed) {
            int n = job.samples();
            int[] order = new int[n];
            SplittableRandom r = new SplittableRandom(seed * 31 + epoch);
            for (int i = 0; i < n; i++) {
                int j = r.nextInt(i + 1);
                order[i] = order[j];
                order[j] = i;
            }
            int b = job.globalBatch();
            int share = b / replicas;
            List<ImageBatch> out = new ArrayList<>();
            for (int k = 0; k + b <= n; k += b) {
                int from = k + rank * share;
                int hw = job.img();
                float[] px = new float[share * 3 * hw * hw];
                int[] labels = new int[share];
                for (int i = 0; i < share; i++) {
                    int idx = order[from + i];
                    labels[i] = idx % CLASSES;
                    SplittableRandom pr = new SplittableRandom(1000L + idx);
                    for (int c = 0; c < 3; c++) {
                        for (int p = 0; p < hw * hw; p++) {
                            px[((i * 3 + c) * hw * hw) + p] = (float) (pr.nextDouble() - 0.5) + (c == labels[i] ? 0.4f : 0f);
                        }
                    }
                }
                out.add(new ImageBatch(px, labels, share, hw, hw));
            }
            return out.iterator();
        }

        @Override
        public long batchesPerEpoch() {
            return job.samples() / job.globalBatch();
        }

        @Override
        public long samples(ImageBatch batch) {
            return batch.batchSize();
        }
    }
}
