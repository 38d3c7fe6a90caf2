package org.wegeft.nn;

import java.util.random.RandomGenerator;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;

/** Inverted dropout with its own seeded generator; the identity in eval mode or with p = 0. */
public final class Dropout extends Module implements Layer {
    private final float p;
    private final RandomGenerator rng;

    public Dropout(float p, RandomGenerator rng) {
        if (!(p >= 0f && p <= 1f)) {
            throw new IllegalArgumentException("Dropout p must be in [0, 1], got " + p);
        }
        this.p = p;
        this.rng = rng;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.dropout(x, p, isTraining(), rng);
    }

    public float p() {
        return p;
    }
}
