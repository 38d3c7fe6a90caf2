package org.wegeft.tensor;

import java.util.Arrays;
import org.wegeft.kernels.DType;

/**
 * View operations (no data copied, except by reshape/contiguous when the layout demands it), each with
 * its backward: reshape ↔ reshape back, permute ↔ inverse permute, expand ↔ sum over the broadcast dims,
 * narrow/select ↔ place the gradient into zeros.
 */
final class ViewOps {
    private ViewOps() {
    }

    // ------------------------------------------------------------------ reshape family

    static Tensor reshape(Tensor x, long[] requested, boolean allowCopy) {
        long[] shape = Shapes.infer(requested, x.numel(), allowCopy ? "reshape" : "view");
        long[] st = Shapes.viewStrides(x.shapeRef(), x.stridesRef(), shape);
        Tensor out;
        if (st != null) {
            out = x.viewOf(x.storageOffset(), shape, st);
        } else if (!allowCopy) {
            throw new ShapeMismatchException("view: " + x + " with strides " + Shapes.str(x.stridesRef())
                    + " cannot be viewed as " + Shapes.str(shape) + "; use reshape() (copies)");
        } else {
            try (Tensor c = Raw.contiguousAs(x, x.dtype())) {
                out = c.viewOf(0, shape, Shapes.contiguousStrides(shape));
            }
        }
        return Node.shouldRecord(x) ? Node.record(out, new Reshape(x)) : out;
    }

    /** Backward of every shape-only change: reshape the gradient back. */
    static final class Reshape extends Node {
        private final long[] inShape;

        Reshape(Tensor x) {
            super(x);
            inShape = x.shape();
        }

        @Override
        Tensor[] backward(Tensor g) {
            return new Tensor[] {g.reshape(inShape)};
        }
    }

    static Tensor flatten(Tensor x, int start, int end) {
        int r = x.dim();
        if (r == 0) {
            return reshape(x, new long[] {1}, true);
        }
        int s = Shapes.dim(start, r, "flatten");
        int e = Shapes.dim(end, r, "flatten");
        if (e < s) {
            throw new IllegalArgumentException("flatten: end dim " + end + " before start dim " + start);
        }
        long[] shape = new long[r - (e - s)];
        long[] xs = x.shapeRef();
        for (int i = 0, j = 0; i < r; i++) {
            if (i <= s || i > e) {
                shape[j++] = i == s ? Shapes.prod(xs, s, e + 1) : xs[i];
            }
        }
        return reshape(x, shape, true);
    }

    static Tensor unsqueeze(Tensor x, int dim) {
        int r = x.dim();
        int d = Shapes.dim(dim, r + 1, "unsqueeze");
        long[] shape = new long[r + 1];
        long[] st = new long[r + 1];
        for (int i = 0, j = 0; i <= r; i++) {
            if (i == d) {
                shape[i] = 1;
                st[i] = d < r ? x.stridesRef()[d] * x.shapeRef()[d] : 1;
            } else {
                shape[i] = x.shapeRef()[j];
                st[i] = x.stridesRef()[j++];
            }
        }
        Tensor out = x.viewOf(x.storageOffset(), shape, st);
        return Node.shouldRecord(x) ? Node.record(out, new Reshape(x)) : out;
    }

    static Tensor squeeze(Tensor x, int dim) {
        int d = Shapes.dim(dim, x.dim(), "squeeze");
        if (x.shapeRef()[d] != 1) {
            return reshape(x, x.shapeRef(), false);
        }
        return removeDims(x, new boolean[x.dim()], d);
    }

    static Tensor squeezeAll(Tensor x) {
        boolean[] drop = new boolean[x.dim()];
        for (int i = 0; i < drop.length; i++) {
            drop[i] = x.shapeRef()[i] == 1;
        }
        return removeDims(x, drop, -1);
    }

    private static Tensor removeDims(Tensor x, boolean[] drop, int also) {
        if (also >= 0) {
            drop[also] = true;
        }
        int keep = 0;
        for (boolean b : drop) {
            keep += b ? 0 : 1;
        }
        long[] shape = new long[keep];
        long[] st = new long[keep];
        for (int i = 0, j = 0; i < drop.length; i++) {
            if (!drop[i]) {
                shape[j] = x.shapeRef()[i];
                st[j++] = x.stridesRef()[i];
            }
        }
        Tensor out = x.viewOf(x.storageOffset(), shape, st);
        return Node.shouldRecord(x) ? Node.record(out, new Reshape(x)) : out;
    }

    // ------------------------------------------------------------------ permute

    static Tensor permute(Tensor x, int[] dims) {
        int r = x.dim();
        if (dims.length != r) {
            throw new ShapeMismatchException("permute: " + dims.length + " dims given for " + x);
        }
        int[] p = new int[r];
        boolean[] used = new boolean[r];
        for (int i = 0; i < r; i++) {
            p[i] = Shapes.dim(dims[i], r, "permute");
            if (used[p[i]]) {
                throw new IllegalArgumentException("permute: dim " + dims[i] + " repeated in " + Arrays.toString(dims));
            }
            used[p[i]] = true;
        }
        long[] shape = new long[r];
        long[] st = new long[r];
        for (int i = 0; i < r; i++) {
            shape[i] = x.shapeRef()[p[i]];
            st[i] = x.stridesRef()[p[i]];
        }
        Tensor out = x.viewOf(x.storageOffset(), shape, st);
        return Node.shouldRecord(x) ? Node.record(out, new Permute(x, p)) : out;
    }

    static Tensor transpose(Tensor x, int d0, int d1) {
        int r = x.dim();
        int a = Shapes.dim(d0, r, "transpose");
        int b = Shapes.dim(d1, r, "transpose");
        int[] p = new int[r];
        for (int i = 0; i < r; i++) {
            p[i] = i;
        }
        p[a] = b;
        p[b] = a;
        return permute(x, p);
    }

    static final class Permute extends Node {
        private final int[] inverse;

        Permute(Tensor x, int[] p) {
            super(x);
            inverse = new int[p.length];
            for (int i = 0; i < p.length; i++) {
                inverse[p[i]] = i;
            }
        }

        @Override
        Tensor[] backward(Tensor g) {
            return new Tensor[] {g.permute(inverse)};
        }
    }

    // ------------------------------------------------------------------ expand

    static Tensor expand(Tensor x, long[] sizes) {
        int r = x.dim();
        if (sizes.length < r) {
            throw new ShapeMismatchException("expand: " + Shapes.str(sizes) + " has fewer dims than " + x);
        }
        int lead = sizes.length - r;
        long[] shape = new long[sizes.length];
        long[] st = new long[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            if (i < lead) {
                if (sizes[i] < 0) {
                    throw new ShapeMismatchException("expand: -1 not allowed for new leading dim in " + Shapes.str(sizes));
                }
                shape[i] = sizes[i];
                st[i] = 0;
                continue;
            }
            long have = x.shapeRef()[i - lead];
            long want = sizes[i] == -1 ? have : sizes[i];
            if (want == have) {
                shape[i] = have;
                st[i] = x.stridesRef()[i - lead];
            } else if (have == 1) {
                shape[i] = want;
                st[i] = 0;
            } else {
                throw new ShapeMismatchException("expand: cannot expand " + x + " to " + Shapes.str(sizes)
                        + " (dim " + i + " has size " + have + ")");
            }
        }
        Tensor out = x.viewOf(x.storageOffset(), shape, st);
        return Node.shouldRecord(x) ? Node.record(out, new Expand(x)) : out;
    }

    static final class Expand extends Node {
        private final long[] inShape;

        Expand(Tensor x) {
            super(x);
            inShape = x.shape();
        }

        @Override
        Tensor[] backward(Tensor g) {
            return new Tensor[] {Raw.sumToShape(g, inShape)};
        }
    }

    // ------------------------------------------------------------------ narrow / select

    static Tensor narrow(Tensor x, int dim, long start, long length) {
        int d = Shapes.dim(dim, x.dim(), "narrow");
        long size = x.shapeRef()[d];
        if (start < 0 || length < 0 || start + length > size) {
            throw new IndexOutOfBoundsException("narrow: [" + start + ", " + (start + length) + ") out of range for dim "
                    + d + " of " + x);
        }
        long[] shape = x.shape();
        shape[d] = length;
        Tensor out = x.viewOf(x.storageOffset() + start * x.stridesRef()[d], shape, x.stridesRef());
        return Node.shouldRecord(x) ? Node.record(out, new Narrow(x, d, start, false)) : out;
    }

    static Tensor select(Tensor x, int dim, long index) {
        int d = Shapes.dim(dim, x.dim(), "select");
        long size = x.shapeRef()[d];
        long i = index < 0 ? index + size : index;
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("select: index " + index + " out of range for dim " + d + " of " + x);
        }
        long[] shape = new long[x.dim() - 1];
        long[] st = new long[x.dim() - 1];
        for (int a = 0, b = 0; a < x.dim(); a++) {
            if (a != d) {
                shape[b] = x.shapeRef()[a];
                st[b++] = x.stridesRef()[a];
            }
        }
        Tensor out = x.viewOf(x.storageOffset() + i * x.stridesRef()[d], shape, st);
        return Node.shouldRecord(x) ? Node.record(out, new Narrow(x, d, i, true)) : out;
    }

    /** Backward of narrow and select: the gradient placed at its slice of a zero tensor. */
    static final class Narrow extends Node {
        private final long[] inShape;
        private final int dim;
        private final long start;
        private final boolean squeezed;

        Narrow(Tensor x, int dim, long start, boolean squeezed) {
            super(x);
            this.inShape = x.shape();
            this.dim = dim;
            this.start = start;
            this.squeezed = squeezed;
        }

        @Override
        Tensor[] backward(Tensor g) {
            if (squeezed) {
                try (Tensor u = g.unsqueeze(dim)) {
                    return new Tensor[] {Raw.place(inShape, dim, new long[] {start}, new Tensor[] {u}, DType.F32)};
                }
            }
            return new Tensor[] {Raw.place(inShape, dim, new long[] {start}, new Tensor[] {g}, DType.F32)};
        }
    }

    // ------------------------------------------------------------------ contiguous

    static Tensor contiguous(Tensor x) {
        Tensor out = x.isContiguous() ? x.viewOf(x.storageOffset(), x.shapeRef(), x.stridesRef())
                : Raw.contiguousAs(x, x.dtype());
        return Node.shouldRecord(x) ? Node.record(out, new Identity(x)) : out;
    }

    /** Gradient passes through unchanged (contiguous, dtype conversion). */
    static final class Identity extends Node {
        Identity(Tensor x) {
            super(x);
        }

        @Override
        Tensor[] backward(Tensor g) {
            return new Tensor[] {g.viewOf(g.storageOffset(), g.shapeRef(), g.stridesRef())};
        }
    }
}
