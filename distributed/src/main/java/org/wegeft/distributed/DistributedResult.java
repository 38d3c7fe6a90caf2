package org.wegeft.distributed;

import java.util.List;
import java.util.Map;
import org.wegeft.nn.Module;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;

/**
 * The end of a data-parallel run: every replica's {@link ReplicaOutcome}, by rank, of the attempt that finished.
 */
public record DistributedResult(List<ReplicaOutcome> replicas) {
    public DistributedResult {
        replicas = List.copyOf(replicas);
        if (replicas.isEmpty() || replicas.getFirst().rank() != 0) {
            throw new IllegalArgumentException("DistributedResult needs the outcomes by rank, rank 0 first");
        }
    }

    /** Rank 0's outcome. */
    public ReplicaOutcome rank0() {
        return replicas.getFirst();
    }

    /** The (replica-mean) loss of each step this attempt ran, from {@link #startStep()}. */
    public float[] losses() {
        return rank0().losses();
    }

    /** The step the finishing attempt started from: 0, or the checkpoint it resumed from. */
    public long startStep() {
        return rank0().startStep();
    }

    /** The final trainable parameters, by name. */
    public Map<String, float[]> trainable() {
        return rank0().trainable();
    }

    /** True when every replica ended with the same trainable values as rank 0. */
    public boolean replicasAgree() {
        return replicas.stream().allMatch(o -> o.checksum() == rank0().checksum());
    }

    /** The largest share of its training loop a replica spent synchronising gradients. */
    public double syncShare() {
        return replicas.stream().mapToDouble(ReplicaOutcome::syncShare).max().orElse(0);
    }

    /** Copies the final trainable parameters into {@code model}'s (same names and shapes, e.g. a fresh replica). */
    public void loadInto(Module model) {
        Map<String, Tensor> params = model.trainableParameters();
        if (!params.keySet().equals(trainable().keySet())) {
            throw new IllegalArgumentException("loadInto: the model's trainable parameters " + params.keySet()
                    + " differ from the run's " + trainable().keySet());
        }
        try (var g = Grad.disabled()) {
            params.forEach((name, p) -> {
                try (Tensor t = Tensor.of(trainable().get(name), rank0().shapes().get(name))) {
                    p.copyFrom(t);
                }
            });
        }
    }
}
