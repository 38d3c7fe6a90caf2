package org.wegeft.tensor;

import java.util.Arrays;

/** Shape and stride arithmetic (metadata only, no element data). */
final class Shapes {
    private Shapes() {
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n = Math.multiplyExact(n, s);
        }
        return n;
    }

    static long[] contiguousStrides(long[] shape) {
        long[] st = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= Math.max(1, shape[i]);
        }
        return st;
    }

    static boolean isContiguous(long[] shape, long[] strides) {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] == 0) {
                return true;
            }
            if (shape[i] != 1 && strides[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /** Normalizes a possibly negative dim against rank {@code rank}. */
    static int dim(int d, int rank, String what) {
        int r = d < 0 ? d + rank : d;
        if (r < 0 || r >= rank) {
            throw new IllegalArgumentException(what + ": dim " + d + " out of range for a tensor of rank " + rank);
        }
        return r;
    }

    /** The broadcast of two shapes (numpy rules). */
    static long[] broadcast(long[] a, long[] b, String what) {
        int n = Math.max(a.length, b.length);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            long x = i < n - a.length ? 1 : a[i - (n - a.length)];
            long y = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (x != y && x != 1 && y != 1) {
                throw new ShapeMismatchException(what + ": shapes " + str(a) + " and " + str(b)
                        + " do not broadcast");
            }
            out[i] = x == 1 ? y : x;
        }
        return out;
    }

    /** Strides of a tensor (shape, strides) read as if broadcast to {@code target} (0 on broadcast dims). */
    static long[] broadcastStrides(long[] shape, long[] strides, long[] target) {
        long[] out = new long[target.length];
        int off = target.length - shape.length;
        for (int i = 0; i < shape.length; i++) {
            out[i + off] = shape[i] == 1 ? 0 : strides[i];
        }
        return out;
    }

    static int[] toInt(long[] shape, String what) {
        int[] out = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            out[i] = checkedInt(shape[i], what);
        }
        return out;
    }

    static int checkedInt(long v, String what) {
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            throw new ShapeMismatchException(what + ": size " + v + " exceeds the kernel limit of 2^31-1");
        }
        return (int) v;
    }

    static long prod(long[] shape, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            p *= shape[i];
        }
        return p;
    }

    /** Resolves one -1 entry of a requested shape against {@code numel}. */
    static long[] infer(long[] requested, long numel, String what) {
        long[] out = requested.clone();
        int minus = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == -1) {
                if (minus >= 0) {
                    throw new ShapeMismatchException(what + ": only one -1 allowed in " + str(requested));
                }
                minus = i;
            } else if (out[i] < 0) {
                throw new ShapeMismatchException(what + ": negative size in " + str(requested));
            } else {
                known *= out[i];
            }
        }
        if (minus >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new ShapeMismatchException(what + ": cannot infer -1 in " + str(requested) + " for " + numel
                        + " elements");
            }
            out[minus] = numel / known;
        }
        if (numel(out) != numel) {
            throw new ShapeMismatchException(what + ": shape " + str(requested) + " does not hold " + numel
                    + " elements");
        }
        return out;
    }

    /**
     * Strides that view (shape, strides) as {@code newShape} without copying, or null when impossible
     * (the algorithm of torch's computeStride: merge runs of dims that are contiguous with each other).
     */
    static long[] viewStrides(long[] shape, long[] strides, long[] newShape) {
        long numel = numel(shape);
        long[] out = new long[newShape.length];
        if (numel == 0) {
            return contiguousStrides(newShape);
        }
        int viewD = newShape.length - 1;
        long chunkBase = strides.length == 0 ? 1 : strides[strides.length - 1];
        long tensorNumel = 1;
        long viewNumel = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            tensorNumel *= shape[d];
            if (d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensorNumel * chunkBase)) {
                while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1)) {
                    out[viewD] = viewNumel * chunkBase;
                    viewNumel *= newShape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) {
                    return null;
                }
                if (d > 0) {
                    chunkBase = strides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        if (viewD != -1) {
            // remaining leading size-1 dims of the new shape
            for (; viewD >= 0; viewD--) {
                if (newShape[viewD] != 1) {
                    return null;
                }
                out[viewD] = 1;
            }
        }
        return out;
    }

    static String str(long[] shape) {
        return Arrays.toString(shape).replace('[', '(').replace(']', ')');
    }
}
