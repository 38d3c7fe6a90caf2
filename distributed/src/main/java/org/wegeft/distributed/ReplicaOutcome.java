package org.wegeft.distributed;

import java.io.Serializable;
import java.util.Map;

/**
 * What one replica reports when its run ends.
 *
 * @param rank        the replica
 * @param startStep   the step it started from (above 0 after resuming from a checkpoint)
 * @param losses      the recorded (replica-mean) loss of each step from {@code startStep}
 * @param trainable   rank 0 only: the final trainable parameters by name (row-major); empty on the others
 * @param shapes      the shapes of {@code trainable}
 * @param checksum    a hash of this replica's final trainable values (equal on every replica in lock-step)
 * @param syncNanos   time spent averaging gradients
 * @param trainNanos  time of the whole training loop
 */
public record ReplicaOutcome(int rank, long startStep, float[] losses, Map<String, float[]> trainable,
        Map<String, long[]> shapes, long checksum, long syncNanos, long trainNanos) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The share of the training loop spent synchronising. */
    public double syncShare() {
        return trainNanos == 0 ? 0 : (double) syncNanos / trainNanos;
    }
}
