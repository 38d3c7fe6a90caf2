package org.wegeft.distributed;

import java.io.Serializable;

/**
 * A test hook: replica {@code rank} throws {@link InjectedFailureException} when it reaches optimizer step
 * {@code step} (0-based) on the first attempt of the run, as a crashed executor would fail its task.
 */
public record InjectedFailure(int rank, long step) implements Serializable {
    private static final long serialVersionUID = 1L;

    public InjectedFailure {
        if (rank < 0 || step < 0) {
            throw new IllegalArgumentException("InjectedFailure: rank " + rank + ", step " + step);
        }
    }

    /** Thrown by the replica that fails on purpose. */
    public static final class InjectedFailureException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public InjectedFailureException(int rank, long step) {
            super("injected failure of replica " + rank + " at step " + step);
        }
    }
}
