package org.wegeft.llm;

import java.util.SplittableRandom;
import org.wegeft.tensor.Tensor;

/** Hugging Face's fresh init: weights N(0, initializer_range²), biases 0, norm weights 1; seeded, in build order. */
final class RandomWeights implements WeightSource {
    private final SplittableRandom rng;
    private final float std;

    RandomWeights(long seed, double std) {
        this.rng = new SplittableRandom(seed);
        this.std = (float) std;
    }

    @Override
    public Tensor get(String key, long[] shape, Init init) {
        return switch (init) {
            case ZEROS -> Tensor.zeros(shape);
            case ONES -> Tensor.ones(shape);
            case NORMAL -> {
                try (Tensor n = Tensor.randn(rng, shape)) {
                    yield n.mul(std);
                }
            }
        };
    }
}
