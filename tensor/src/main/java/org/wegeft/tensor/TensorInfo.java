package org.wegeft.tensor;

import java.util.Arrays;

/**
 * One tensor entry of a safetensors header.
 *
 * @param name  the tensor's key in the header
 * @param dtype the safetensors dtype string ("F32", "BF16", …)
 * @param shape dimensions, outermost first (a defensive copy)
 * @param begin start of the tensor's bytes, relative to the data section
 * @param end   end (exclusive) of the tensor's bytes, relative to the data section
 */
public record TensorInfo(String name, String dtype, long[] shape, long begin, long end) {

    public TensorInfo {
        shape = shape.clone();
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException(name + ": bad byte range [" + begin + ", " + end + ")");
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Size of the tensor's data in bytes. */
    public long bytes() {
        return end - begin;
    }

    /** Number of elements (product of the shape; 1 for a scalar). */
    public long elements() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype.equals(t.dtype)
                && Arrays.equals(shape, t.shape) && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return ((name.hashCode() * 31 + dtype.hashCode()) * 31 + Arrays.hashCode(shape)) * 31
                + Long.hashCode(begin) * 17 + Long.hashCode(end);
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + Arrays.toString(shape) + " [" + begin + ", " + end + ")";
    }
}
