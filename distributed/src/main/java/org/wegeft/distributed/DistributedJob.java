package org.wegeft.distributed;

import java.io.IOException;
import java.io.Serializable;
import org.wegeft.nn.Module;
import org.wegeft.nn.train.BatchSource;
import org.wegeft.nn.train.StepFunction;
import org.wegeft.nn.train.TrainConfig;
import org.wegeft.nn.train.Trainer;

/**
 * What each data-parallel replica trains: the single-machine {@link Trainer}'s ingredients, made on the replica
 * (a Spark task) from this serialisable description — so keep paths and settings in fields, not open files or
 * tensors.
 *
 * <p>Replicas must agree: {@link #createModel} builds the same model on every call (pretrained weights, adapter
 * injected with a fixed seed; the trainable parameters are also copied from rank 0 at the start), and
 * {@link #source} gives every replica the same batches in the same order, each cut to the replica's equal share
 * (e.g. {@link org.wegeft.nn.data.DataLoader#shard}). The loss must be a mean over the batch's samples so that the
 * mean of the replicas' gradients is the whole batch's gradient.
 *
 * @param <B> the batch type
 */
public interface DistributedJob<B> extends Serializable {
    /** The model with its adapter injected; only its trainable parameters train. */
    Module createModel();

    /** The training objective (a mean over the batch). */
    StepFunction<B> step();

    /**
     * Replica {@code rank}'s share of every global batch, of {@code replicas}. When the source is
     * {@link AutoCloseable} it is closed after the run.
     */
    BatchSource<B> source(int rank, int replicas);

    /**
     * The training settings: the same on every replica. Rank 0 writes the metrics and checkpoints to
     * {@link TrainConfig#outputDir()}, which must be a folder every replica can read (a shared file system on a
     * cluster) for the run to resume after a failure.
     */
    TrainConfig config();

    /**
     * Bytes of gradient per all-reduce bucket (see {@link GradientAverager}); 0 averages every gradient at once
     * after backward. The default is PyTorch DDP's, 25 MiB.
     */
    default long bucketBytes() {
        return GradientAverager.DEFAULT_BUCKET_BYTES;
    }

    /** Further settings of a replica's trainer (optimizer, evaluator, metrics file), e.g. only on rank 0. */
    default void configure(Trainer<B> trainer, int rank) {
    }

    /**
     * Called on rank 0 alone after its last step, with the model {@link #createModel} made on that replica: write
     * what the run leaves behind (an adapter folder, a model folder) where the driver and the user find it.
     */
    default void finish(Module model) throws IOException {
    }

    /**
     * Whether rank 0 sends its final trainable parameters back to the driver ({@link DistributedResult#trainable()});
     * a job whose {@link #finish} writes them itself may say no (full fine-tuning of a large model).
     */
    default boolean returnsParameters() {
        return true;
    }
}
