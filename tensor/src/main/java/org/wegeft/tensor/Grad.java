package org.wegeft.tensor;

/**
 * Thread-local gradient recording mode. Recording is on by default; {@code try (var g = Grad.disabled())}
 * turns it off for the current thread until the scope closes (scopes nest and restore the previous mode).
 */
public final class Grad {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private Grad() {
    }

    /** A scope that restores the previous mode when closed. */
    public static final class Mode implements AutoCloseable {
        private final boolean previous;
        private boolean closed;

        private Mode(boolean enabled) {
            boolean[] cell = ENABLED.get();
            previous = cell[0];
            cell[0] = enabled;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                ENABLED.get()[0] = previous;
            }
        }
    }

    /** Whether operations on this thread record autograd graph nodes. */
    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** Turns recording off until the returned scope closes. */
    public static Mode disabled() {
        return new Mode(false);
    }

    /** Turns recording on until the returned scope closes (inside a disabled scope). */
    public static Mode enabled() {
        return new Mode(true);
    }
}
