package org.wegeft.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.Backends;
import org.wegeft.kernels.BinaryOp;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.GemmSpec;
import org.wegeft.kernels.KernelBackend;
import org.wegeft.kernels.QuantizedWeight;
import org.wegeft.kernels.ReduceOp;
import org.wegeft.kernels.UnaryOp;
import org.wegeft.kernels.WeightDropout;

/**
 * Kernel calls on tensors without autograd: the building blocks of every op's forward and backward.
 * Results are new contiguous tensors from the pool.
 */
final class Raw {
    private Raw() {
    }

    static KernelBackend be() {
        return Backends.current();
    }

    static Tensor empty(DType dtype, long[] shape) {
        Storage s = Storage.allocateUninitialized(dtype, Shapes.numel(shape));
        return new Tensor(s, 0, shape.clone(), Shapes.contiguousStrides(shape), true);
    }

    static Tensor full(long[] shape, float value) {
        Tensor t = empty(DType.F32, shape);
        be().fill(t.seg(), t.numel(), value);
        return t;
    }

    /** A contiguous copy of x as {@code to} (F32/BF16/F16 convert; I32 only copies to I32). */
    static Tensor contiguousAs(Tensor x, DType to) {
        DType from = x.dtype();
        long[] shape = x.shapeRef();
        if (from == to && (from == DType.F32 || from == DType.I32)) {
            Tensor out = empty(to, shape);
            be().copyStrided(Shapes.toInt(shape, "copy"), x.seg(), x.stridesRef(), out.seg());
            return out;
        }
        if (!from.isFloating() || !to.isFloating()) {
            throw new UnsupportedOperationException("cannot convert " + from + " to " + to + " (" + x + ")");
        }
        if (x.isContiguous()) {
            Tensor out = empty(to, shape);
            be().convert(from, x.seg(), to, out.seg(), x.numel());
            return out;
        }
        if (from == DType.F32) {
            try (Tensor c = contiguousAs(x, DType.F32)) {
                return contiguousAs(c, to);
            }
        }
        // a strided half-precision view: convert the span it covers, then gather
        long span = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 0) {
                return empty(to, shape);
            }
            span += (shape[i] - 1) * x.stridesRef()[i];
        }
        try (Tensor tmp = empty(DType.F32, new long[] {span})) {
            be().convert(from, x.seg(), DType.F32, tmp.seg(), span);
            try (Tensor v = tmp.viewOf(0, shape, x.stridesRef())) {
                return contiguousAs(v, to);
            }
        }
    }

    /**
     * A weight W (out, in) as the (in, out) operand of x·Wᵀ: a view (no autograd node), W's own dtype and storage, so a
     * GEMM reads W as stored.
     */
    static Tensor transposedWeight(Tensor w) {
        long[] ws = w.stridesRef();
        return w.viewOf(w.storageOffset(), new long[] {w.size(1), w.size(0)}, new long[] {ws[1], ws[0]});
    }

    /** t as a contiguous float32 (rows, cols) tensor: a view when it already is one, else a copy. */
    static Tensor flatF32(Tensor t, long rows, long cols) {
        if (t.dtype() == DType.F32 && t.isContiguous()) {
            return t.viewOf(t.storageOffset(), new long[] {rows, cols}, new long[] {cols, 1});
        }
        try (Tensor c = contiguousAs(t, DType.F32)) {
            return c.viewOf(0, new long[] {rows, cols}, new long[] {cols, 1});
        }
    }

    /** x itself if float32 (any layout), else a float32 copy; for kernels that take strides. */
    static Operand floatStrided(Tensor x, String what) {
        if (x.dtype() == DType.F32) {
            return new Operand(x, false);
        }
        if (!x.dtype().isFloating()) {
            throw new IllegalArgumentException(what + " needs a floating tensor, got " + x);
        }
        return new Operand(contiguousAs(x, DType.F32), true);
    }

    static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        String what = op.name().toLowerCase(java.util.Locale.ROOT);
        long[] shape = Shapes.broadcast(a.shapeRef(), b.shapeRef(), what);
        try (Operand x = floatStrided(a, what); Operand y = floatStrided(b, what)) {
            Tensor out = empty(DType.F32, shape);
            be().binary(op, Shapes.toInt(shape, what), x.seg(),
                    Shapes.broadcastStrides(a.shapeRef(), a.stridesRef(), shape), y.seg(),
                    Shapes.broadcastStrides(b.shapeRef(), b.stridesRef(), shape), out.seg());
            return out;
        }
    }

    /** acc = acc op b, acc contiguous F32 owning its data, b broadcast to acc's shape. */
    static void binaryInto(BinaryOp op, Tensor acc, Tensor b) {
        long[] shape = acc.shapeRef();
        Shapes.broadcast(shape, b.shapeRef(), op.name());
        if (b.dim() > acc.dim()) {
            throw new ShapeMismatchException("in-place " + op + ": " + b + " does not broadcast to " + acc);
        }
        for (int i = 0; i < b.dim(); i++) {
            long bs = b.shapeRef()[i];
            if (bs != 1 && bs != shape[i + acc.dim() - b.dim()]) {
                throw new ShapeMismatchException("in-place " + op + ": " + b + " does not broadcast to " + acc);
            }
        }
        try (Operand y = floatStrided(b, op.name())) {
            be().binary(op, Shapes.toInt(shape, op.name()), acc.seg(), Shapes.contiguousStrides(shape), y.seg(),
                    Shapes.broadcastStrides(b.shapeRef(), b.stridesRef(), shape), acc.seg());
        }
    }

    static Tensor affine(Tensor x, float scale, float shift) {
        try (Operand o = Operand.f32(x)) {
            Tensor out = empty(DType.F32, x.shapeRef());
            be().affine(o.seg(), out.seg(), out.numel(), scale, shift);
            return out;
        }
    }

    static Tensor unary(UnaryOp op, Tensor x) {
        try (Operand o = Operand.f32(x)) {
            Tensor out = empty(DType.F32, x.shapeRef());
            be().unary(op, o.seg(), out.seg(), out.numel());
            return out;
        }
    }

    static Tensor unaryBackward(UnaryOp op, Tensor x, Tensor dy) {
        try (Operand xo = Operand.f32(x); Operand g = Operand.f32(dy)) {
            Tensor out = empty(DType.F32, x.shapeRef());
            be().unaryBackward(op, xo.seg(), g.seg(), out.seg(), out.numel());
            return out;
        }
    }

    /**
     * {@link #unaryBackward}, written over dy when dy holds its own storage alone ({@link Tensor#isExclusive}) in x's
     * shape: then no new buffer, and no pass that fills one, and the result is a view of dy's storage (the caller
     * still closes dy). The same bits either way.
     */
    static Tensor unaryBackwardReusing(UnaryOp op, Tensor x, Tensor dy) {
        if (!dy.isExclusive() || !java.util.Arrays.equals(dy.shapeRef(), x.shapeRef())) {
            return unaryBackward(op, x, dy);
        }
        try (Operand xo = Operand.f32(x)) {
            be().unaryBackward(op, xo.seg(), dy.seg(), dy.seg(), dy.numel());
            return dy.viewOf(0, dy.shapeRef(), dy.stridesRef());
        }
    }

    /** Reduction over one dim. */
    static Tensor reduce(ReduceOp op, Tensor x, int dim, boolean keepdim) {
        long[] shape = x.shapeRef();
        int d = Shapes.dim(dim, shape.length, "reduce");
        long[] outShape = reducedShape(shape, d, keepdim);
        try (Operand o = Operand.f32(x)) {
            Tensor out = empty(DType.F32, outShape);
            be().reduce(op, o.seg(), out.seg(), Shapes.checkedInt(Shapes.prod(shape, 0, d), "reduce"),
                    Shapes.checkedInt(shape[d], "reduce"),
                    Shapes.checkedInt(Shapes.prod(shape, d + 1, shape.length), "reduce"));
            return out;
        }
    }

    static long[] reducedShape(long[] shape, int d, boolean keepdim) {
        if (keepdim) {
            long[] s = shape.clone();
            s[d] = 1;
            return s;
        }
        long[] s = new long[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i != d) {
                s[j++] = shape[i];
            }
        }
        return s;
    }

    /** Sums g (a broadcast result) down to {@code target} (the operand's shape): the broadcast backward. */
    static Tensor sumToShape(Tensor g, long[] target) {
        long[] gs = g.shapeRef();
        if (Arrays.equals(gs, target)) {
            return g.viewOf(g.storageOffset(), gs, g.stridesRef());
        }
        int lead = gs.length - target.length;
        Tensor cur = g.viewOf(g.storageOffset(), gs, g.stridesRef());
        for (int d = gs.length - 1; d >= 0; d--) {
            boolean reduce = d < lead || (target[d - lead] == 1 && gs[d] != 1);
            if (reduce) {
                Tensor next = reduce(ReduceOp.SUM, cur, d, true);
                cur.close();
                cur = next;
            }
        }
        if (!cur.isContiguous()) {
            Tensor c = contiguousAs(cur, DType.F32);
            cur.close();
            cur = c;
        }
        Tensor out = cur.viewOf(cur.storageOffset(), target, Shapes.contiguousStrides(target));
        cur.close();
        return out;
    }

    /** x broadcast to {@code shape}, materialized contiguous (F32 or I32). */
    static Tensor expandTo(Tensor x, long[] shape) {
        DType dt = x.dtype() == DType.I32 ? DType.I32 : DType.F32;
        try (Operand o = dt == DType.I32 ? new Operand(x, false) : floatStrided(x, "expand")) {
            Tensor out = empty(dt, shape);
            be().copyStrided(Shapes.toInt(shape, "expand"), o.seg(),
                    Shapes.broadcastStrides(x.shapeRef(), x.stridesRef(), shape), out.seg());
            return out;
        }
    }

    /**
     * A contiguous tensor of {@code outShape} whose slices [starts[i], starts[i] + len) along {@code dim} are
     * {@code parts[i]} and whose remaining entries are zero. Backend-only: the parts are gathered into a
     * buffer laid out with {@code dim} outermost (each part one contiguous block), then transposed back.
     */
    static Tensor place(long[] outShape, int dim, long[] starts, @Nullable Tensor[] parts, DType dtype) {
        long outer = Shapes.prod(outShape, 0, dim);
        long inner = Shapes.prod(outShape, dim + 1, outShape.length);
        long total = Shapes.numel(outShape);
        Tensor buf = empty(dtype, new long[] {total});
        long covered = 0;
        for (Tensor p : parts) {
            if (p != null) {
                covered += p.numel();
            }
        }
        if (covered != total) {
            be().fill(buf.seg(), total, 0f);
        }
        int rank = outShape.length;
        for (int i = 0; i < parts.length; i++) {
            Tensor p = parts[i];
            if (p == null || p.numel() == 0) {
                continue;
            }
            long[] ps = p.shapeRef();
            long[] pst = p.stridesRef();
            int[] shape = new int[rank];
            long[] st = new long[rank];
            shape[0] = Shapes.checkedInt(ps[dim], "cat");
            st[0] = pst[dim];
            for (int j = 0, k = 1; j < rank; j++) {
                if (j != dim) {
                    shape[k] = Shapes.checkedInt(ps[j], "cat");
                    st[k++] = pst[j];
                }
            }
            try (Operand o = dtype == DType.I32 ? new Operand(p, false) : floatStrided(p, "cat")) {
                MemorySegment dst = buf.seg().asSlice(starts[i] * outer * inner * dtype.byteSize());
                be().copyStrided(shape, o.seg(), st, dst);
            }
        }
        if (outer == 1) {
            Tensor out = buf.viewOf(0, outShape, Shapes.contiguousStrides(outShape));
            buf.close();
            return out;
        }
        long[] strides = new long[rank];
        long s = 1;
        for (int j = rank - 1; j > dim; j--) {
            strides[j] = s;
            s *= outShape[j];
        }
        strides[dim] = outer * inner;
        for (int j = dim - 1; j >= 0; j--) {
            strides[j] = s;
            s *= outShape[j];
        }
        try (Tensor v = buf.viewOf(0, outShape, strides)) {
            buf.close();
            return contiguousAs(v, dtype);
        }
    }

    // ------------------------------------------------------------------ GEMM

    /** a (..., M, K) · b (..., K, N) with broadcast batch dims, into a new contiguous tensor. */
    static Tensor matmul(Tensor a, Tensor b) {
        long[] as = a.shapeRef();
        long[] bs = b.shapeRef();
        if (as.length < 2 || bs.length < 2) {
            throw new ShapeMismatchException("matmul needs operands of rank >= 2, got " + Shapes.str(as) + " and "
                    + Shapes.str(bs));
        }
        if (as[as.length - 1] != bs[bs.length - 2]) {
            throw new ShapeMismatchException("matmul: inner sizes differ, " + Shapes.str(as) + " · " + Shapes.str(bs));
        }
        long[] batch = Shapes.broadcast(Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2),
                "matmul batch dims");
        long[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = as[as.length - 2];
        outShape[batch.length + 1] = bs[bs.length - 1];
        Tensor out = empty(DType.F32, outShape);
        gemmInto(a, b, out, 0f);
        return out;
    }

    /** out (batch..., M, N) contiguous = a · b + beta·out. */
    static void gemmInto(Tensor a0, Tensor b0, Tensor out, float beta) {
        gemmInto(a0, b0, out, beta, null);
    }

    /**
     * out (batch..., M, N) contiguous = a · b + beta·out, plus {@code bias} (N contiguous floats, or null) added to
     * every row; with a bias, beta must be 0 (the backend adds it in the GEMM's store: {@code gemmBias}).
     */
    static void gemmInto(Tensor a0, Tensor b0, Tensor out, float beta, @Nullable MemorySegment bias) {
        gemmInto(a0, b0, out, beta, bias, null);
    }

    /**
     * {@link #gemmInto(Tensor, Tensor, Tensor, float, MemorySegment)} with every element of b dropped or scaled as
     * {@code dropout} defines (or null), element indices counted from b's first element. A half-precision matrix b
     * (a frozen weight, or a transposed view of one) is read in its own dtype, never converted as a whole.
     */
    static void gemmInto(Tensor a0, Tensor b0, Tensor out, float beta, @Nullable MemorySegment bias,
                         @Nullable WeightDropout dropout) {
        if (bias != null && beta != 0f) {
            throw new IllegalArgumentException("gemmInto: a bias needs beta = 0, got " + beta);
        }
        QuantizedWeight q = b0.storage().quantized();
        if (q != null) {
            quantizedGemmInto(a0, b0, q, out, beta, bias, dropout);
            return;
        }
        // a weight read as it is stored: a half-precision matrix, or any matrix under dropout
        boolean weight = b0.dim() == 2 && matrix(b0) != null && (b0.dtype() != DType.F32 || dropout != null);
        if (dropout != null && !weight) {
            throw new IllegalArgumentException("matmul: dropout needs a matrix weight as the second operand, got "
                    + b0);
        }
        DType bType = weight ? b0.dtype() : DType.F32;
        try (Operand ao = floatStrided(a0, "matmul");
             Operand bo = weight ? new Operand(b0, false) : floatStrided(b0, "matmul")) {
            Tensor a = ao.t();
            Tensor b = bo.t();
            long[] os = out.shapeRef();
            int nbDims = os.length - 2;
            long[] batch = Arrays.copyOf(os, nbDims);
            long m = os[nbDims];
            long n = os[nbDims + 1];
            long k = a.shapeRef()[a.dim() - 1];
            long nb = Shapes.numel(batch);
            if (out.numel() == 0) {
                return;
            }
            if (k == 0) {
                if (bias != null) {
                    be().gemmBias(GemmSpec.batched(false, false, Shapes.checkedInt(nb, "matmul batch"),
                            Shapes.checkedInt(m, "matmul"), Shapes.checkedInt(n, "matmul"), 0, 1f, 0f), out.seg(),
                            out.seg(), bias, out.seg());
                } else if (beta == 0f) {
                    be().fill(out.seg(), out.numel(), 0f);
                }
                return;
            }
            long[] sa = batchStrides(a, batch);
            long[] sb = batchStrides(b, batch);
            // (B, T, C) · (C, D): fold the batch of A into its rows, one GEMM with no copies
            if (nb > 1 && allZero(sb) && a.dim() - 2 == nbDims && matrix(b) != null) {
                long[] rowShape = Arrays.copyOf(a.shapeRef(), a.dim() - 1);
                long[] rowStrides = Arrays.copyOf(a.stridesRef(), a.dim() - 1);
                long[] folded = Shapes.viewStrides(rowShape, rowStrides, new long[] {nb * m});
                long cs = a.stridesRef()[a.dim() - 1];
                if (folded != null && (k == 1 || cs == 1) && folded[0] >= k) {
                    long[] lb = matrix(b);
                    GemmSpec spec = GemmSpec.strided(false, lb[0] == 1, Shapes.checkedInt(nb * m, "matmul"),
                            Shapes.checkedInt(n, "matmul"), Shapes.checkedInt(k, "matmul"), 1f, beta,
                            Shapes.checkedInt(nb * m == 1 ? k : folded[0], "matmul lda"),
                            Shapes.checkedInt(lb[1], "matmul ldb"), Shapes.checkedInt(n, "matmul"));
                    gemm(spec, a.seg(), bType, b.seg(), dropout, bias, out.seg());
                    return;
                }
            }
            try (BatchedMatrix ba = BatchedMatrix.of(a, sa, batch);
                 BatchedMatrix bb = BatchedMatrix.of(b, sb, batch)) {
                long[] la = ba.layout();
                long[] lb = bb.layout();
                GemmSpec spec = new GemmSpec(la[0] == 1, lb[0] == 1, Shapes.checkedInt(m, "matmul"),
                        Shapes.checkedInt(n, "matmul"), Shapes.checkedInt(k, "matmul"), 1f, beta,
                        Shapes.checkedInt(la[1], "matmul lda"), Shapes.checkedInt(lb[1], "matmul ldb"),
                        Shapes.checkedInt(n, "matmul"), Shapes.checkedInt(nb, "matmul batch"), ba.stride(), bb.stride(),
                        m * n);
                gemm(spec, ba.x().seg(), bType, bb.x().seg(), dropout, bias, out.seg());
            }
        }
    }

    /**
     * out (rows + r, n), contiguous, = [top; bottom]·b0, the rows of bottom (r of them) against drop(b0) when there is
     * a {@code dropout} (its first row at top's row count): {@link #gemmInto} of the two stacked. top (rows, k) and
     * bottom (r, k) are float32; b0 a matrix weight or a view of one. With a dropout and a plain weight, b0 is read
     * once and top and bottom each from their own buffer ({@code gemmWeightStacked}); otherwise from a stacked copy.
     */
    static void gemmStackedInto(Tensor top, Tensor bottom, Tensor b0, Tensor out, @Nullable WeightDropout dropout) {
        long rows = top.size(0);
        long k = top.size(1);
        long n = b0.size(1);
        long[] lb = b0.dim() == 2 ? matrix(b0) : null;
        if (dropout != null && dropout.firstRow() != rows || bottom.size(1) != k || b0.size(0) != k) {
            throw new ShapeMismatchException("gemmStackedInto: " + top + " and " + bottom + " stacked against " + b0
                    + (dropout == null ? "" : " with the dropout from row " + dropout.firstRow()));
        }
        if (dropout == null || b0.storage().quantized() != null || lb == null || rows == 0 || bottom.size(0) == 0
                || k == 0 || !top.isContiguous() || !bottom.isContiguous() || top.dtype() != DType.F32
                || bottom.dtype() != DType.F32) {
            try (Tensor stacked = place(new long[] {rows + bottom.size(0), k}, 0, new long[] {0, rows},
                    new Tensor[] {top, bottom}, DType.F32)) {
                gemmInto(stacked, b0, out, 0f, null, dropout);
            }
            return;
        }
        GemmSpec spec = GemmSpec.strided(false, lb[0] == 1, Shapes.checkedInt(rows + bottom.size(0), "matmul rows"),
                Shapes.checkedInt(n, "matmul"), Shapes.checkedInt(k, "matmul"), 1f, 0f, Shapes.checkedInt(k,
                        "matmul lda"), Shapes.checkedInt(lb[1], "matmul ldb"), Shapes.checkedInt(n, "matmul"));
        be().gemmWeightStacked(spec, top.seg(), bottom.seg(), b0.dtype(), b0.seg(), dropout, MemorySegment.NULL,
                out.seg());
    }

    /**
     * {@link #gemmInto} whose b is a quantized weight W (rows, cols) or its transposed view (a linear layer's x·Wᵀ,
     * its input gradient dy·W): the rows of a (…, k) are folded into one product, W dequantized inside the GEMM.
     */
    private static void quantizedGemmInto(Tensor a0, Tensor b0, QuantizedWeight q, Tensor out, float beta,
                                          @Nullable MemorySegment bias, @Nullable WeightDropout dropout) {
        long[] bs = b0.stridesRef();
        boolean plain = b0.dim() == 2 && b0.size(0) == q.rows() && b0.size(1) == q.cols() && bs[0] == q.cols()
                && bs[1] == 1;
        boolean transposed = b0.dim() == 2 && b0.size(0) == q.cols() && b0.size(1) == q.rows() && bs[0] == 1
                && bs[1] == q.cols();
        if (b0.storageOffset() != 0 || !(plain || transposed)) {
            throw new IllegalArgumentException("matmul: a quantized weight is read whole, as W or Wᵀ; got the view "
                    + b0 + " of (" + q.rows() + ", " + q.cols() + ")");
        }
        if (!out.isContiguous() || out.numel() == 0) {
            if (out.numel() == 0) {
                return;
            }
            throw new IllegalArgumentException("matmul: the output of a quantized product must be contiguous: " + out);
        }
        int k = Shapes.checkedInt(b0.size(0), "matmul");
        int n = Shapes.checkedInt(b0.size(1), "matmul");
        long rows = out.numel() / n;
        try (Tensor a = contiguousAs(a0, DType.F32)) {
            if (a.numel() != rows * k) {
                throw new ShapeMismatchException("matmul: " + a0 + " does not fold into (" + rows + ", " + k
                        + ") rows for the quantized weight " + b0);
            }
            GemmSpec spec = GemmSpec.strided(false, transposed, Shapes.checkedInt(rows, "matmul rows"), n, k, 1f,
                    beta, Math.max(1, k), q.cols(), n);
            be().gemmQuantized(spec, a.seg(), q, dropout, bias == null ? MemorySegment.NULL : bias, out.seg());
        }
    }

    private static void gemm(GemmSpec spec, MemorySegment a, DType bType, MemorySegment b,
                             @Nullable WeightDropout dropout, @Nullable MemorySegment bias, MemorySegment c) {
        if (bType != DType.F32 || dropout != null) {
            be().gemmWeight(spec, a, bType, b, dropout, bias == null ? MemorySegment.NULL : bias, c);
        } else if (bias == null) {
            be().gemm(spec, a, b, c);
        } else {
            be().gemmBias(spec, a, b, bias, c);
        }
    }

    /**
     * One GEMM operand over the batch: {@code x} itself when its batch strides are one uniform stride and its matrix
     * is a strided layout ({@link #matrix}), else a contiguous copy ({@code copy}, closed with this).
     */
    private record BatchedMatrix(Tensor x, @Nullable Tensor copy, long stride, long[] layout) implements AutoCloseable {
        static BatchedMatrix of(Tensor x, long[] batchStrides, long[] batch) {
            long stride = uniformStride(batchStrides, batch);
            long[] layout = matrix(x);
            if (stride >= 0 && layout != null) {
                return new BatchedMatrix(x, null, stride, layout);
            }
            Tensor c = materialize(x, batch);
            long[] cs = c.shapeRef();
            return new BatchedMatrix(c, c, cs[cs.length - 2] * cs[cs.length - 1], matrix(c));
        }

        @Override
        public void close() {
            if (copy != null) {
                copy.close();
            }
        }
    }

    /** x's batch dims broadcast to {@code batch} and its matrix dims, as a contiguous copy. */
    private static Tensor materialize(Tensor x, long[] batch) {
        long[] xs = x.shapeRef();
        long[] shape = Arrays.copyOf(batch, batch.length + 2);
        shape[batch.length] = xs[xs.length - 2];
        shape[batch.length + 1] = xs[xs.length - 1];
        return expandTo(x, shape);
    }

    private static long[] batchStrides(Tensor x, long[] batch) {
        long[] xs = x.shapeRef();
        return Shapes.broadcastStrides(Arrays.copyOf(xs, xs.length - 2), Arrays.copyOf(x.stridesRef(), xs.length - 2),
                batch);
    }

    private static boolean allZero(long[] s) {
        for (long v : s) {
            if (v != 0) {
                return false;
            }
        }
        return true;
    }

    /** One stride s with stride_i = s·Π batch[i+1..] for every dim of size > 1, or -1 when none exists. */
    private static long uniformStride(long[] strides, long[] batch) {
        long s = -1;
        long below = 1;
        for (int i = batch.length - 1; i >= 0; i--) {
            if (batch[i] != 1) {
                if (s < 0) {
                    if (strides[i] % below != 0) {
                        return -1;
                    }
                    s = strides[i] / below;
                } else if (strides[i] != s * below) {
                    return -1;
                }
            }
            below *= batch[i];
        }
        return s < 0 ? 0 : s;
    }

    /** {trans (0/1), leading dim} for the last two dims of x as a GEMM operand, or null if a copy is needed. */
    static long @Nullable [] matrix(Tensor x) {
        int r = x.dim();
        long rows = x.shapeRef()[r - 2];
        long cols = x.shapeRef()[r - 1];
        long rs = x.stridesRef()[r - 2];
        long cs = x.stridesRef()[r - 1];
        if ((cols <= 1 || cs == 1) && (rows <= 1 || rs >= Math.max(1, cols))) {
            return new long[] {0, rows <= 1 ? Math.max(1, cols) : rs};
        }
        if ((rows <= 1 || rs == 1) && (cols <= 1 || cs >= Math.max(1, rows))) {
            return new long[] {1, cols <= 1 ? Math.max(1, rows) : cs};
        }
        return null;
    }
}
