package org.wegeft.distributed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.Module;
import org.wegeft.nn.train.BatchSource;
import org.wegeft.nn.train.GradientHook;
import org.wegeft.nn.train.TrainConfig;
import org.wegeft.nn.train.TrainResult;
import org.wegeft.nn.train.Trainer;
import org.wegeft.tensor.Tensor;

/**
 * One data-parallel replica, Spark or not: builds the job's model, copies rank 0's trainable parameters (or
 * resumes every replica from the same checkpoint), and runs the job's {@link Trainer} with a
 * {@link GradientAverager} as its gradient hook. Rank 0 alone keeps the output folder (metrics, checkpoints) and
 * the progress line.
 */
public final class ReplicaRun {
    private ReplicaRun() {
    }

    /**
     * Trains replica {@code ring.rank()} of {@code ring.size()} to the end of the job's configuration.
     *
     * @param resume  the checkpoint every replica continues from (the same one on each), or null to start afresh
     * @param fail    a failure to inject on this run (null: none)
     * @throws UncheckedIOException when rank 0's {@link DistributedJob#finish} cannot write its output
     */
    public static <B> ReplicaOutcome run(DistributedJob<B> job, RingAllReduce ring, @Nullable Path resume,
            @Nullable InjectedFailure fail, boolean progress) {
        int rank = ring.rank();
        TrainConfig cfg = job.config();
        if (rank != 0) {
            cfg = new TrainConfig(cfg.maxSteps(), cfg.epochs(), cfg.lr(), cfg.schedule(), cfg.warmupSteps(),
                    cfg.minLrRatio(), cfg.weightDecay(), cfg.maxGradNorm(), cfg.accumulation(), cfg.evalEvery(),
                    cfg.logEvery(), cfg.seed(), null, 0, cfg.maxBadSteps());
        }
        Module model = job.createModel();
        BatchSource<B> source = job.source(rank, ring.size());
        try (GradientAverager avg = new GradientAverager(ring, job.bucketBytes())) {
            Trainer<B> trainer = new Trainer<>(model, cfg, job.step(), source)
                    .progress(rank == 0 && progress ? System.err : null, false);
            job.configure(trainer, rank);
            List<Tensor> trainable = List.copyOf(model.trainableParameters().values());
            long start = 0;
            if (resume != null) {
                trainer.resumeFrom(resume);
                start = org.wegeft.nn.train.Checkpoint.readState(resume).step();
            } else {
                avg.broadcastFromRank0(trainable);
            }
            trainer.gradientHook(new GradientHook() {
                @Override
                public void beforeLastBackward(long step, List<Tensor> params) {
                    avg.beforeLastBackward(step, params);
                }

                @Override
                public float afterBackward(long step, List<Tensor> params, float loss) {
                    if (fail != null && fail.rank() == rank && fail.step() == step) {
                        fail.strike();
                    }
                    return avg.afterBackward(step, params, loss);
                }
            });
            long t0 = System.nanoTime();
            TrainResult r = trainer.run();
            long trainNanos = System.nanoTime() - t0;
            if (rank == 0) {
                try {
                    job.finish(model);
                } catch (IOException e) {
                    throw new UncheckedIOException("replica 0: writing the run's output failed: " + e.getMessage(), e);
                }
            }
            Map<String, float[]> values = new LinkedHashMap<>();
            Map<String, long[]> shapes = new LinkedHashMap<>();
            long checksum = 17;
            for (Map.Entry<String, Tensor> e : model.trainableParameters().entrySet()) {
                float[] v = e.getValue().toFloatArray();
                checksum = 31 * checksum + java.util.Arrays.hashCode(v);
                if (rank == 0 && job.returnsParameters()) {
                    values.put(e.getKey(), v);
                    shapes.put(e.getKey(), e.getValue().shape());
                }
            }
            return new ReplicaOutcome(rank, start, r.losses(), values, shapes, checksum, avg.syncNanos(), trainNanos);
        } finally {
            if (source instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException("replica " + rank + ": closing the batch source failed", e);
                }
            }
        }
    }
}
