package org.wegeft.tensor;

/**
 * Thread-local gradient recording mode. Recording is on by default; {@code try (var g = Grad.disabled())}
 * turns it off for the current thread until the scope closes (scopes nest and restore the previous mode).
 */
public final class Grad {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});
    private static final ThreadLocal<boolean[]> RECOMPUTE = ThreadLocal.withInitial(() -> new boolean[] {false});

    private Grad() {
    }

    /** A scope that restores the previous mode when closed. */
    public static final class Mode implements AutoCloseable {
        private final ThreadLocal<boolean[]> setting;
        private final boolean previous;
        private boolean closed;

        private Mode(ThreadLocal<boolean[]> setting, boolean value) {
            this.setting = setting;
            boolean[] cell = setting.get();
            previous = cell[0];
            cell[0] = value;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                setting.get()[0] = previous;
            }
        }
    }

    /** Whether operations on this thread record autograd graph nodes. */
    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** Turns recording off until the returned scope closes. */
    public static Mode disabled() {
        return new Mode(ENABLED, false);
    }

    /** Turns recording on until the returned scope closes (inside a disabled scope). */
    public static Mode enabled() {
        return new Mode(ENABLED, true);
    }

    /**
     * Until the returned scope closes, the outputs of cheap ops recorded on this thread (layer norms and
     * elementwise activation functions such as GELU) do not stay in memory for backward: once the forward has
     * closed its own references, only the graph's saved views are left and the memory goes back to the pool; the
     * backward that reads one computes it again from inputs the graph keeps anyway (the same kernel on the same
     * data: the same bits). Fewer bytes held between forward and backward (in a pre-norm Transformer block, both
     * norms' outputs and the MLP's activation), for about one more forward pass of those ops. Scopes nest and
     * restore the previous setting; {@code recomputingActivations(false)} turns it off inside one.
     */
    public static Mode recomputingActivations(boolean on) {
        return new Mode(RECOMPUTE, on);
    }

    /** {@code recomputingActivations(true)}. */
    public static Mode recomputingActivations() {
        return recomputingActivations(true);
    }

    /** Whether {@link #recomputingActivations()} is in effect on this thread. */
    public static boolean isRecomputingActivations() {
        return RECOMPUTE.get()[0];
    }
}
