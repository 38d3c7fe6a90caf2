package org.wegeft.vision;

import java.util.random.RandomGenerator;
import org.wegeft.nn.CountingRandom;
import org.wegeft.nn.Layer;
import org.wegeft.nn.Module;
import org.wegeft.nn.Stochastic;
import org.wegeft.tensor.Tensor;

/**
 * Stochastic depth (timm's {@code DropPath}): in training, each sample's residual branch is zeroed with
 * probability p and the kept ones are scaled by 1/(1−p); the identity in eval mode or with p = 0. The per-sample
 * masks come from this module's own seeded generator.
 */
public final class DropPath extends Module implements Layer, Stochastic {
    private final float p;
    private final CountingRandom rng;

    public DropPath(float p, RandomGenerator rng) {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("DropPath rate must be in [0, 1), got " + p);
        }
        this.p = p;
        this.rng = CountingRandom.from(rng);
    }

    // x: (B, ...) → (B, ...)
    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0f) {
            return x.reshape(x.shape());
        }
        int b = (int) x.size(0);
        float keep = 1f - p;
        float[] mask = new float[b];
        for (int i = 0; i < b; i++) {
            mask[i] = rng.nextFloat() < keep ? 1f / keep : 0f;
        }
        long[] shape = new long[x.dim()];
        java.util.Arrays.fill(shape, 1);
        shape[0] = b;
        try (Tensor m = Tensor.of(mask, shape)) { // (B, 1, …, 1), broadcast over the sample
            return x.mul(m);
        }
    }

    public float p() {
        return p;
    }

    @Override
    public CountingRandom generator() {
        return rng;
    }
}
