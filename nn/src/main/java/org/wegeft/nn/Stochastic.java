package org.wegeft.nn;

/**
 * A module that draws random numbers in {@code forward} (dropout masks). A training checkpoint saves the
 * position of its {@link #generator()} under the module's path, and resuming restores it, so a resumed run
 * draws exactly the masks the uninterrupted run would have drawn.
 */
public interface Stochastic {
    CountingRandom generator();
}
