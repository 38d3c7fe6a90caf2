package org.wegeft.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * A module that draws random numbers in {@code forward} (dropout masks). A training checkpoint saves the
 * position of its {@link #generator()} under the module's path, and resuming restores it, so a resumed run
 * draws exactly the masks the uninterrupted run would have drawn.
 */
public interface Stochastic {
    CountingRandom generator();

    /**
     * The draw positions, now, of the generators of every stochastic module in {@code root}'s tree; running the
     * returned action moves each generator back there. A gradient-checkpointed block takes one before its forward
     * and runs it before the recomputation, which then draws the very masks the forward drew.
     */
    static Runnable rewinder(Module root) {
        List<CountingRandom> gens = new ArrayList<>();
        for (Module m : root.namedModules().values()) {
            if (m instanceof Stochastic s && !gens.contains(s.generator())) {
                gens.add(s.generator());
            }
        }
        long[] at = new long[gens.size()];
        for (int i = 0; i < at.length; i++) {
            at[i] = gens.get(i).position();
        }
        return () -> {
            for (int i = 0; i < at.length; i++) {
                gens.get(i).position(at[i]);
            }
        };
    }
}
