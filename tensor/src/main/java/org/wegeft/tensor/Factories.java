package org.wegeft.tensor;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

import org.wegeft.kernels.DType;

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
        return generated(shape, v -> {
            for (int i = 0; i < v.length; i++) {
                v[i] = lo + (hi - lo) * rng.nextFloat();
            }
        });
    }

    static Tensor normal(RandomGenerator rng, float mean, float std, long[] shape) {
        return generated(shape, v -> {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (mean + std * rng.nextGaussian());
            }
        });
    }

    /** Host chunk for generated values: a random tensor never needs a Java array as large as itself. */
    private static final int CHUNK = 1 << 16;

    /**
     * A float32 tensor whose values {@code fill} writes, one host chunk after another in element order (so the
     * generator's stream is consumed exactly as by one array of the tensor's size). Initialising a large
     * embedding therefore touches 256 KB of Java heap, not its own size, which would stay resident.
     */
    private static Tensor generated(long[] shape, Consumer<float[]> fill) {
        long n = Shapes.numel(shape);
        Storage st = Storage.allocateUninitialized(DType.F32, n);
        float[] chunk = new float[(int) Math.min(CHUNK, n)];
        for (long off = 0; off < n; off += chunk.length) {
            float[] v = n - off >= chunk.length ? chunk : new float[(int) (n - off)];
            fill.accept(v);
            HostAccess.write(MemorySegment.ofArray(v), st, off * Float.BYTES);
        }
        return new Tensor(st, 0, shape.clone(), Shapes.contiguousStrides(shape), true);
    }
}
