package org.wegeft.llm;

import java.util.SplittableRandom;
import org.wegeft.kernels.DType;
import org.wegeft.tensor.Tensor;

/**
 * Hugging Face's fresh init: weights N(0, initializer_range²), biases 0, norm weights 1; seeded, in build order.
 * The normal-initialised weights (every Linear weight and the embedding table) can be stored in BF16 or F16, as a
 * checkpoint saved in that dtype would be: drawn in float32 a block of rows at a time and rounded into the
 * half-precision tensor, so a large table never exists in float32 (the values are exactly those of the float32
 * init rounded, since the generator's stream is consumed in element order either way).
 */
final class RandomWeights implements WeightSource {
    /** Elements drawn in float32 at a time for a half-precision weight. */
    static final long BLOCK = 1L << 22;

    private final SplittableRandom rng;
    private final float std;
    private final DType weights;
    private final long block;

    RandomWeights(long seed, double std) {
        this(seed, std, DType.F32, BLOCK);
    }

    /** @param weights F32, BF16 or F16: the dtype of the normal-initialised weights */
    RandomWeights(long seed, double std, DType weights, long block) {
        if (weights != DType.F32 && weights != DType.BF16 && weights != DType.F16) {
            throw new IllegalArgumentException("weights must be F32, BF16 or F16, got " + weights);
        }
        this.rng = new SplittableRandom(seed);
        this.std = (float) std;
        this.weights = weights;
        this.block = block;
    }

    @Override
    public Tensor get(String key, long[] shape, Init init) {
        return switch (init) {
            case ZEROS -> Tensor.zeros(shape);
            case ONES -> Tensor.ones(shape);
            case NORMAL -> weights == DType.F32 ? normal(shape) : rounded(shape);
        };
    }

    private Tensor normal(long[] shape) {
        try (Tensor n = Tensor.randn(rng, shape)) {
            return n.mul(std);
        }
    }

    /** shape[0] rows drawn in float32 a block at a time, each block rounded into the result. */
    private Tensor rounded(long[] shape) {
        Tensor out = Tensor.zeros(weights, shape);
        long rowElements = out.numel() / shape[0];
        long rows = Math.max(1, block / rowElements);
        for (long r = 0; r < shape[0]; r += rows) {
            long n = Math.min(rows, shape[0] - r);
            long[] part = shape.clone();
            part[0] = n;
            try (Tensor f = normal(part); Tensor dst = out.narrow(0, r, n)) {
                dst.copyFrom(f);
            }
        }
        return out;
    }
}
