package org.wegeft.vision;

import java.util.random.RandomGenerator;
import org.wegeft.nn.Linear;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;

/** timm's from-scratch initialisation: truncated normal (std 0.02, cut at ±2 std) for linears and embeddings. */
public final class VitInit {
    /** The standard deviation of every draw. */
    public static final double STD = 0.02;

    private VitInit() {
    }

    /** Normal(0, std²) samples redrawn until within ±2·std. */
    public static Tensor truncNormal(RandomGenerator rng, double std, long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        float[] data = new float[Math.toIntExact(n)];
        for (int i = 0; i < data.length; i++) {
            double z;
            do {
                z = rng.nextGaussian();
            } while (Math.abs(z) > 2.0);
            data[i] = (float) (z * std);
        }
        return Tensor.of(data, shape);
    }

    /** Weight trunc-normal(0.02), bias zeros (timm's init_weights_vit_timm for nn.Linear). */
    public static <L extends Linear> L linear(L layer, RandomGenerator rng) {
        try (var g = Grad.disabled(); Tensor w = truncNormal(rng, STD, layer.weight().shape())) {
            layer.weight().copyFrom(w);
            Tensor b = layer.bias();
            if (b != null) {
                b.fillInPlace(0f);
            }
        }
        return layer;
    }
}
