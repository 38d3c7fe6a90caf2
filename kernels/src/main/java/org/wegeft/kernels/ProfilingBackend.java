package org.wegeft.kernels;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A backend that forwards every kernel to another one and times it: wall time and calls per kernel and shape
 * ({@code gemm NT 1576x384x1152}, {@code unary GELU_ERF n=2420736}, ...). A device backend is synchronised
 * after each kernel so the time is the kernel's, not its launch's. This is the kernel-level profile of
 * {@code wegeft bench train --profile}: where a training step's time goes, with no sampling error, next to a
 * JFR recording for what happens inside a kernel.
 */
public final class ProfilingBackend implements KernelBackend {
    private final KernelBackend delegate;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /**
     * One kernel and shape: calls, total nanoseconds and the Java heap bytes all threads allocated during them
     * (a CPU kernel should allocate next to nothing: heap allocation inside one means vector operations that the
     * JIT did not compile to vector instructions).
     */
    public record Line(String kernel, long calls, long nanos, long heapBytes) {}

    private static final class Entry {
        final LongAdder calls = new LongAdder();
        final LongAdder nanos = new LongAdder();
        final LongAdder heap = new LongAdder();
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    private ProfilingBackend(KernelBackend delegate) {
        this.delegate = delegate;
    }

    /** Wraps {@code delegate}; install with {@link Backends#setCurrent}. */
    public static ProfilingBackend wrap(KernelBackend delegate) {
        return new ProfilingBackend(delegate);
    }

    /** The backend that does the work. */
    public KernelBackend delegate() {
        return delegate;
    }

    /** Forgets everything timed so far (e.g. after warm-up steps). */
    public void reset() {
        entries.clear();
    }

    /** Every kernel and shape timed since the last reset, most total time first. */
    public List<Line> lines() {
        List<Line> out = new ArrayList<>();
        entries.forEach((k, e) -> out.add(new Line(k, e.calls.sum(), e.nanos.sum(), e.heap.sum())));
        out.sort(Comparator.comparingLong(Line::nanos).reversed().thenComparing(Line::kernel));
        return out;
    }

    /** The lines summed by kernel name (the key's first word), most total time first. */
    public List<Line> byKernel() {
        Map<String, long[]> sums = new ConcurrentHashMap<>();
        for (Line l : lines()) {
            String name = l.kernel().split(" ", 2)[0];
            long[] s = sums.computeIfAbsent(name, x -> new long[3]);
            s[0] += l.calls();
            s[1] += l.nanos();
            s[2] += l.heapBytes();
        }
        List<Line> out = new ArrayList<>();
        sums.forEach((k, s) -> out.add(new Line(k, s[0], s[1], s[2])));
        out.sort(Comparator.comparingLong(Line::nanos).reversed().thenComparing(Line::kernel));
        return out;
    }

    private void timed(Supplier<String> key, Runnable kernel) {
        long h0 = THREADS.getTotalThreadAllocatedBytes();
        long t0 = System.nanoTime();
        kernel.run();
        if (!delegate.hostAccessible()) {
            delegate.synchronize();
        }
        long dt = System.nanoTime() - t0;
        long dh = THREADS.getTotalThreadAllocatedBytes() - h0;
        Entry e = entries.computeIfAbsent(key.get(), k -> new Entry());
        e.calls.increment();
        e.nanos.add(dt);
        e.heap.add(Math.max(0, dh));
    }

    private static String dims(int[] shape) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            b.append(i == 0 ? "" : "x").append(shape[i]);
        }
        return b.toString();
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public Availability availability() {
        return delegate.availability();
    }

    @Override
    public int priority() {
        return delegate.priority();
    }

    @Override
    public boolean chosenByDefault() {
        return delegate.chosenByDefault();
    }

    @Override
    public boolean hostAccessible() {
        return delegate.hostAccessible();
    }

    @Override
    public MemorySegment allocate(long bytes) {
        return delegate.allocate(bytes);
    }

    @Override
    public void free(MemorySegment buffer) {
        delegate.free(buffer);
    }

    @Override
    public void copyToDevice(MemorySegment host, MemorySegment device, long bytes) {
        timed(() -> "copyToDevice " + bytes + "B", () -> delegate.copyToDevice(host, device, bytes));
    }

    @Override
    public void copyToHost(MemorySegment device, MemorySegment host, long bytes) {
        timed(() -> "copyToHost " + bytes + "B", () -> delegate.copyToHost(device, host, bytes));
    }

    @Override
    public void copy(MemorySegment src, MemorySegment dst, long bytes) {
        timed(() -> "copy " + bytes + "B", () -> delegate.copy(src, dst, bytes));
    }

    @Override
    public void synchronize() {
        delegate.synchronize();
    }

    /** "gemm NT MxNxK[ batch=B]" and what the variant adds (" +C", " +D", " +bias"). */
    private static String gemmLabel(GemmSpec s, String suffix) {
        return "gemm " + (s.transA() ? "T" : "N") + (s.transB() ? "T" : "N") + " " + s.m() + "x" + s.n() + "x" + s.k()
                + (s.batch() > 1 ? " batch=" + s.batch() : "") + suffix;
    }

    /** "attention[...] bh=BH TQxTKxD[ causal]" for the attention kernels. */
    private static String attentionLabel(String kernel, int bh, int tq, int tk, int d, boolean causal) {
        return kernel + " bh=" + bh + " " + tq + "x" + tk + "x" + d + (causal ? " causal" : "");
    }

    @Override
    public void gemm(GemmSpec s, MemorySegment a, MemorySegment b, MemorySegment c) {
        timed(() -> gemmLabel(s, (s.beta() != 0f ? " +C" : "")), () -> delegate.gemm(s, a, b, c));
    }

    @Override
    public void gemmAddend(GemmSpec s, MemorySegment a, MemorySegment b, MemorySegment d, MemorySegment c) {
        timed(() -> gemmLabel(s, " +D"), () -> delegate.gemmAddend(s, a, b, d, c));
    }

    @Override
    public void gemmWeight(GemmSpec s, MemorySegment a, DType bType, MemorySegment b, @Nullable WeightDropout dropout,
                           MemorySegment bias, MemorySegment c) {
        timed(() -> gemmLabel(s, " " + bType + (dropout == null ? "" : " dropout")
                + (bias.equals(MemorySegment.NULL) ? "" : " +bias")),
                () -> delegate.gemmWeight(s, a, bType, b, dropout, bias, c));
    }

    @Override
    public void gemmWeightStacked(GemmSpec s, MemorySegment a, MemorySegment lower, DType bType, MemorySegment b,
                                  WeightDropout dropout, MemorySegment bias, MemorySegment c) {
        timed(() -> gemmLabel(s, " " + bType + " dropout stacked" + (bias.equals(MemorySegment.NULL) ? "" : " +bias")),
                () -> delegate.gemmWeightStacked(s, a, lower, bType, b, dropout, bias, c));
    }

    @Override
    public boolean fusesEditedA(GemmSpec s, int r, DType bType, boolean hasBias) {
        return delegate.fusesEditedA(s, r, bType, hasBias);
    }

    @Override
    public void gemmEditedA(GemmSpec s, MemorySegment x, MemorySegment u, MemorySegment e, int r, float editScale,
                            DType bType, MemorySegment b, MemorySegment bias, MemorySegment c) {
        timed(() -> gemmLabel(s, (bType == DType.F32 ? "" : " " + bType) + " edited r" + r
                + (bias.equals(MemorySegment.NULL) ? "" : " +bias")),
                () -> delegate.gemmEditedA(s, x, u, e, r, editScale, bType, b, bias, c));
    }

    @Override
    public void gemmQuantized(GemmSpec s, MemorySegment a, QuantizedWeight b, @Nullable WeightDropout dropout,
                              MemorySegment bias, MemorySegment c) {
        timed(() -> gemmLabel(s, " " + b.format() + (dropout == null ? "" : " dropout")
                + (bias.equals(MemorySegment.NULL) ? "" : " +bias")),
                () -> delegate.gemmQuantized(s, a, b, dropout, bias, c));
    }

    @Override
    public void gemmBias(GemmSpec s, MemorySegment a, MemorySegment b, MemorySegment bias, MemorySegment c) {
        timed(() -> gemmLabel(s, " +bias"), () -> delegate.gemmBias(s, a, b, bias, c));
    }

    @Override
    public void unary(UnaryOp op, MemorySegment x, MemorySegment y, long n) {
        timed(() -> "unary " + op + " n=" + n, () -> delegate.unary(op, x, y, n));
    }

    @Override
    public void unaryBackward(UnaryOp op, MemorySegment x, MemorySegment dy, MemorySegment dx, long n) {
        timed(() -> "unaryBackward " + op + " n=" + n, () -> delegate.unaryBackward(op, x, dy, dx, n));
    }

    @Override
    public void affine(MemorySegment x, MemorySegment y, long n, float scale, float shift) {
        timed(() -> "affine n=" + n, () -> delegate.affine(x, y, n, scale, shift));
    }

    @Override
    public void fill(MemorySegment y, long n, float value) {
        timed(() -> "fill n=" + n, () -> delegate.fill(y, n, value));
    }

    @Override
    public void binary(BinaryOp op, int[] shape, MemorySegment a, long[] aStrides, MemorySegment b, long[] bStrides,
            MemorySegment out) {
        timed(() -> "binary " + op + " " + dims(shape) + " a" + Arrays.toString(aStrides) + " b"
                + Arrays.toString(bStrides), () -> delegate.binary(op, shape, a, aStrides, b, bStrides, out));
    }

    @Override
    public void copyStrided(int[] shape, MemorySegment src, long[] srcStrides, MemorySegment dst) {
        timed(() -> "copyStrided " + dims(shape) + " " + Arrays.toString(srcStrides),
                () -> delegate.copyStrided(shape, src, srcStrides, dst));
    }

    @Override
    public void reduce(ReduceOp op, MemorySegment x, MemorySegment out, int outer, int dim, int inner) {
        timed(() -> "reduce " + op + " " + outer + "x" + dim + "x" + inner,
                () -> delegate.reduce(op, x, out, outer, dim, inner));
    }

    @Override
    public void softmax(MemorySegment x, MemorySegment y, int rows, int cols, boolean causal, int tq) {
        timed(() -> "softmax " + rows + "x" + cols + (causal ? " causal" : ""),
                () -> delegate.softmax(x, y, rows, cols, causal, tq));
    }

    @Override
    public void softmaxBackward(MemorySegment y, MemorySegment dy, MemorySegment dx, int rows, int cols) {
        timed(() -> "softmaxBackward " + rows + "x" + cols, () -> delegate.softmaxBackward(y, dy, dx, rows, cols));
    }

    @Override
    public void layerNorm(MemorySegment x, MemorySegment gamma, MemorySegment beta, MemorySegment y,
            MemorySegment mean, MemorySegment rstd, int rows, int cols, float eps) {
        timed(() -> "layerNorm " + rows + "x" + cols,
                () -> delegate.layerNorm(x, gamma, beta, y, mean, rstd, rows, cols, eps));
    }

    @Override
    public void layerNormBackward(MemorySegment x, MemorySegment gamma, MemorySegment mean, MemorySegment rstd,
            MemorySegment dy, MemorySegment dx, MemorySegment dgamma, MemorySegment dbeta, int rows, int cols) {
        timed(() -> "layerNormBackward " + rows + "x" + cols,
                () -> delegate.layerNormBackward(x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows, cols));
    }

    @Override
    public void rmsNorm(MemorySegment x, MemorySegment weight, MemorySegment y, MemorySegment rstd, int rows,
            int cols, float eps) {
        timed(() -> "rmsNorm " + rows + "x" + cols, () -> delegate.rmsNorm(x, weight, y, rstd, rows, cols, eps));
    }

    @Override
    public void rmsNormBackward(MemorySegment x, MemorySegment weight, MemorySegment rstd, MemorySegment dy,
            MemorySegment dx, MemorySegment dweight, int rows, int cols) {
        timed(() -> "rmsNormBackward " + rows + "x" + cols,
                () -> delegate.rmsNormBackward(x, weight, rstd, dy, dx, dweight, rows, cols));
    }

    @Override
    public void embedding(MemorySegment ids, MemorySegment table, MemorySegment out, int n, int vocab, int dim) {
        timed(() -> "embedding " + n + "x" + dim, () -> delegate.embedding(ids, table, out, n, vocab, dim));
    }

    @Override
    public void embeddingBackward(MemorySegment ids, MemorySegment dout, MemorySegment dtable, int n, int vocab,
            int dim) {
        timed(() -> "embeddingBackward " + n + "x" + dim,
                () -> delegate.embeddingBackward(ids, dout, dtable, n, vocab, dim));
    }

    @Override
    public int crossEntropy(MemorySegment logits, MemorySegment targets, MemorySegment losses,
            MemorySegment dlogits, int rows, int classes, int ignoreIndex, float labelSmoothing) {
        int[] counted = new int[1];
        timed(() -> "crossEntropy " + rows + "x" + classes, () -> counted[0] = delegate.crossEntropy(logits,
                targets, losses, dlogits, rows, classes, ignoreIndex, labelSmoothing));
        return counted[0];
    }

    @Override
    public void attention(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out, MemorySegment lse,
            int bh, int tq, int tk, int d, float scale, boolean causal) {
        timed(() -> attentionLabel("attention", bh, tq, tk, d, causal),
                () -> delegate.attention(q, k, v, out, lse, bh, tq, tk, d, scale, causal));
    }

    @Override
    public void attentionBackward(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out,
            MemorySegment lse, MemorySegment dout, MemorySegment dq, MemorySegment dk, MemorySegment dv, int bh,
            int tq, int tk, int d, float scale, boolean causal) {
        timed(() -> attentionLabel("attentionBackward", bh, tq, tk, d, causal),
                () -> delegate.attentionBackward(q, k, v, out, lse, dout, dq, dk, dv, bh, tq, tk, d, scale, causal));
    }

    @Override
    public void attentionTokenMajor(MemorySegment q, int ldq, MemorySegment k, int ldk, MemorySegment v, int ldv,
            MemorySegment out, int ldo, MemorySegment lse, int batch, int heads, int tq, int tk, int d, float scale,
            boolean causal) {
        timed(() -> attentionLabel("attention token-major", batch * heads, tq, tk, d, causal),
                () -> delegate.attentionTokenMajor(q, ldq, k, ldk, v, ldv, out, ldo, lse, batch, heads, tq, tk, d,
                        scale, causal));
    }

    @Override
    public void attentionBackwardTokenMajor(MemorySegment q, int ldq, MemorySegment k, int ldk, MemorySegment v,
            int ldv, MemorySegment out, int ldo, MemorySegment lse, MemorySegment dout, MemorySegment dq,
            MemorySegment dk, MemorySegment dv, int batch, int heads, int tq, int tk, int d, float scale,
            boolean causal) {
        timed(() -> attentionLabel("attentionBackward token-major", batch * heads, tq, tk, d, causal),
                () -> delegate.attentionBackwardTokenMajor(q, ldq, k, ldk, v, ldv, out, ldo, lse, dout, dq, dk, dv,
                        batch, heads, tq, tk, d, scale, causal));
    }

    @Override
    public void rope(MemorySegment x, MemorySegment y, MemorySegment cos, MemorySegment sin, int n, int t, int d,
            boolean inverse) {
        timed(() -> "rope " + n + "x" + t + "x" + d + (inverse ? " inverse" : ""),
                () -> delegate.rope(x, y, cos, sin, n, t, d, inverse));
    }

    @Override
    public void adamw(MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v, long n, float lr,
            float beta1, float beta2, float eps, float weightDecay, int step) {
        timed(() -> "adamw n=" + n,
                () -> delegate.adamw(param, grad, m, v, n, lr, beta1, beta2, eps, weightDecay, step));
    }

    @Override
    public void convert(DType from, MemorySegment src, DType to, MemorySegment dst, long n) {
        timed(() -> "convert " + from + "->" + to + " n=" + n, () -> delegate.convert(from, src, to, dst, n));
    }
}
