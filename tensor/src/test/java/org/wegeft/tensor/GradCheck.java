package org.wegeft.tensor;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Central finite-difference check of autograd: for L = Σ f(x)·R with a fixed random R, compares
 * dL/dx from backward with (L(x+ε) − L(x−ε)) / 2ε, L summed in double from the float32 outputs.
 */
final class GradCheck {
    private GradCheck() {
    }

    /** An input: its values and shape. */
    record In(float[] values, long... shape) {
        static In rand(long seed, long... shape) {
            SplittableRandom r = new SplittableRandom(seed);
            int n = (int) Shapes.numel(shape);
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) (r.nextDouble() * 2 - 1);
            }
            return new In(v, shape);
        }
    }

    static void check(String name, Function<List<Tensor>, Tensor> f, In... inputs) {
        check(name, f, 1e-2, 2e-3, 2e-2, inputs);
    }

    static void check(String name, Function<List<Tensor>, Tensor> f, double eps, double atol, double rtol,
                      In... inputs) {
        try (TensorScope scope = TensorScope.open()) {
            List<Tensor> xs = new ArrayList<>();
            for (In in : inputs) {
                xs.add(Tensor.of(in.values().clone(), in.shape()).requiresGrad(true));
            }
            Tensor out = f.apply(xs);
            float[] r = weights(out.numel());
            try (Tensor rt = Tensor.of(r, out.shape()); Tensor l = out.mul(rt).sum()) {
                l.backward();
            }
            for (int i = 0; i < inputs.length; i++) {
                Tensor g = xs.get(i).grad();
                assertNotNull(g, name + ": input " + i + " got no gradient");
                float[] analytic = g.toFloatArray();
                float[] v = inputs[i].values().clone();
                for (int j = 0; j < v.length; j++) {
                    float orig = v[j];
                    v[j] = (float) (orig + eps);
                    double lp = loss(f, inputs, i, v, r);
                    v[j] = (float) (orig - eps);
                    double lm = loss(f, inputs, i, v, r);
                    v[j] = orig;
                    double numeric = (lp - lm) / (2 * eps);
                    double diff = Math.abs(numeric - analytic[j]);
                    if (!(diff <= atol + rtol * Math.max(Math.abs(numeric), Math.abs(analytic[j])))) {
                        fail(name + ": d/dx" + i + "[" + j + "] analytic " + analytic[j] + " vs numeric " + numeric);
                    }
                }
            }
        }
    }

    private static double loss(Function<List<Tensor>, Tensor> f, In[] inputs, int which, float[] v, float[] r) {
        try (TensorScope s = TensorScope.open(); Grad.Mode off = Grad.disabled()) {
            List<Tensor> xs = new ArrayList<>();
            for (int i = 0; i < inputs.length; i++) {
                xs.add(Tensor.of(i == which ? v : inputs[i].values(), inputs[i].shape()));
            }
            float[] out = f.apply(xs).toFloatArray();
            double l = 0;
            for (int k = 0; k < out.length; k++) {
                l += (double) out[k] * r[k];
            }
            return l;
        }
    }

    static float[] weights(long n) {
        SplittableRandom rnd = new SplittableRandom(7);
        float[] r = new float[(int) n];
        for (int i = 0; i < r.length; i++) {
            r[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return r;
    }
}
