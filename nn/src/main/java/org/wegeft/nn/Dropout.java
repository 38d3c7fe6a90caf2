package org.wegeft.nn;

import java.util.random.RandomGenerator;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;

/**
 * Inverted dropout with its own checkpointable generator (seeded from one draw of the given one); the identity
 * in eval mode or with p = 0.
 */
public final class Dropout extends Module implements Layer, Stochastic {
    private final float p;
    private final CountingRandom rng;

    public Dropout(float p, RandomGenerator rng) {
        if (!(p >= 0f && p <= 1f)) {
            throw new IllegalArgumentException("Dropout p must be in [0, 1], got " + p);
        }
        this.p = p;
        this.rng = CountingRandom.from(rng);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.dropout(x, p, isTraining(), rng);
    }

    @Override
    public CountingRandom generator() {
        return rng;
    }

    public float p() {
        return p;
    }
}
