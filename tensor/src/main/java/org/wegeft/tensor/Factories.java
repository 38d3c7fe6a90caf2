package org.wegeft.tensor;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Tensors from Java data and random generators: values are made on the host and copied once into the current
 * backend's memory (one host → device copy per tensor on a device backend).
 */
final class Factories {
    private Factories() {
    }

    /** A reproducible generator for {@code seed} (SplittableRandom: same stream on every JDK). */
    static RandomGenerator rng(long seed) {
        return new SplittableRandom(seed);
    }

    static long[] shapeFor(int length, long[] shape) {
        long[] s = shape.length == 0 ? new long[] {length} : shape.clone();
        if (Shapes.numel(s) != length) {
            throw new ShapeMismatchException("data of length " + length + " does not fill shape " + Shapes.str(s));
        }
        return s;
    }

    /** Exactly {@code shape} (rank 0 allowed). */
    static Tensor of(float[] data, long[] shape) {
        long[] s = shape.clone();
        if (Shapes.numel(s) != data.length) {
            throw new ShapeMismatchException("data of length " + data.length + " does not fill shape " + Shapes.str(s));
        }
        Storage st = Storage.ofFloats(data);
        return new Tensor(st, 0, s, Shapes.contiguousStrides(s), true);
    }

    static Tensor ofInts(int[] data, long[] shape) {
        long[] s = shapeFor(data.length, shape);
        Storage st = Storage.ofInts(data);
        return new Tensor(st, 0, s, Shapes.contiguousStrides(s), true);
    }

    static Tensor arange(float start, float end, float step) {
        if (step == 0f || Float.isNaN(step)) {
            throw new IllegalArgumentException("arange step must be non-zero, got " + step);
        }
        int n = (int) Math.max(0, Math.ceil((end - start) / (double) step));
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (start + (double) i * step);
        }
        return of(v, new long[] {n});
    }

    static Tensor uniform(RandomGenerator rng, float lo, float hi, long[] shape) {
        int n = Shapes.checkedInt(Shapes.numel(shape), "rand");
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = lo + (hi - lo) * rng.nextFloat();
        }
        return of(v, shape);
    }

    static Tensor normal(RandomGenerator rng, float mean, float std, long[] shape) {
        int n = Shapes.checkedInt(Shapes.numel(shape), "randn");
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (mean + std * rng.nextGaussian());
        }
        return of(v, shape);
    }
}
