package org.wegeft.kernels.device;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;
import org.wegeft.kernels.BinaryOp;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.KernelBackend;
import org.wegeft.kernels.ReduceOp;
import org.wegeft.kernels.UnaryOp;

/**
 * The SPI's non-GEMM kernels on a device, as launches of the shared kernel sources ({@link DeviceKernelSources}):
 * which kernel, how many blocks of how many threads, how much dynamic shared memory, and the arguments in the order
 * the source declares them. The launch geometry and argument lists live here once, beside the sources they must
 * match; a backend supplies memory, GEMM and {@link #launch}, which compiles (or loads from its cache) and runs a
 * kernel on its device. Kernels run in issue order; only the index checks of embedding and cross-entropy read a few
 * bytes back.
 */
public abstract class DeviceKernelBackend implements KernelBackend {
    /** Threads per block of the elementwise and row kernels (the THREADS of norms.c and losses.c). */
    protected static final int THREADS = 256;
    /** Threads per block of the attention kernels (the THREADS of attention.c). */
    protected static final int ATTENTION_THREADS = 128;

    /** The arguments of one launch, in the kernel's parameter order. A null buffer passes a null pointer. */
    public interface LaunchArgs {
        LaunchArgs ptr(MemorySegment deviceBuffer);

        LaunchArgs i32(int v);

        LaunchArgs i64(long v);

        LaunchArgs f32(float v);

        /** A struct passed by value: its bytes, laid out as the C struct. */
        LaunchArgs struct(MemorySegment bytes);
    }

    /**
     * Runs {@code module}'s kernel {@code kernel} on {@code grid} blocks of {@code block} threads with
     * {@code sharedBytes} of dynamic shared memory (a kernel's {@code DYNAMIC_SHARED} buffer), compiling the module
     * on first use. Returns once the launch is queued.
     */
    protected abstract void launch(String module, String kernel, long grid, int block, int sharedBytes,
                                   Consumer<LaunchArgs> args);

    /** The most dynamic shared memory one block may use, in bytes (attention keeps a row of scores there). */
    protected int maxSharedBytes() {
        return 48 * 1024;
    }

    @Override
    public boolean hostAccessible() {
        return false;
    }

    /**
     * The {@code Dims} struct of elementwise.c: {@code i64 sa[8], sb[8]; int shape[8]; int rank, pad;} (168 bytes,
     * 8-byte aligned).
     * @throws IllegalArgumentException for a rank above 8
     */
    public static MemorySegment dims(Arena arena, int[] shape, long[] sa, long[] sb, String kernel) {
        if (shape.length > 8) {
            throw new IllegalArgumentException(kernel + ": the device backends support rank <= 8, got shape of rank "
                    + shape.length);
        }
        MemorySegment s = arena.allocate(168, 8);
        for (int d = 0; d < shape.length; d++) {
            s.setAtIndex(JAVA_LONG, d, sa[d]);
            s.setAtIndex(JAVA_LONG, 8 + d, sb.length > d ? sb[d] : 0);
            s.set(JAVA_INT, 128 + 4L * d, shape[d]);
        }
        s.set(JAVA_INT, 160, shape.length);
        return s;
    }

    // ------------------------------------------------------------------ elementwise

    private static long blocks(long n) {
        return Math.min((n + THREADS - 1) / THREADS, 1L << 20);
    }

    @Override
    public void unary(UnaryOp op, MemorySegment x, MemorySegment y, long n) {
        launch("elementwise", "unary_forward", blocks(n), THREADS, 0,
                k -> k.i32(op.ordinal()).ptr(x).ptr(y).i64(n));
    }

    @Override
    public void unaryBackward(UnaryOp op, MemorySegment x, MemorySegment dy, MemorySegment dx, long n) {
        launch("elementwise", "unary_backward", blocks(n), THREADS, 0,
                k -> k.i32(op.ordinal()).ptr(x).ptr(dy).ptr(dx).i64(n));
    }

    @Override
    public void affine(MemorySegment x, MemorySegment y, long n, float scale, float shift) {
        launch("elementwise", "affine", blocks(n), THREADS, 0, k -> k.ptr(x).ptr(y).i64(n).f32(scale).f32(shift));
    }

    @Override
    public void fill(MemorySegment y, long n, float value) {
        launch("elementwise", "fill", blocks(n), THREADS, 0, k -> k.ptr(y).i64(n).f32(value));
    }

    private static long total(int[] shape) {
        long t = 1;
        for (int s : shape) {
            t *= s;
        }
        return t;
    }

    @Override
    public void binary(BinaryOp op, int[] shape, MemorySegment a, long[] aStrides, MemorySegment b, long[] bStrides,
                       MemorySegment out) {
        long total = total(shape);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dims = dims(arena, shape, aStrides, bStrides, "binary");
            launch("elementwise", "binary", blocks(total), THREADS, 0,
                    k -> k.i32(op.ordinal()).struct(dims).ptr(a).ptr(b).ptr(out).i64(total));
        }
    }

    @Override
    public void copyStrided(int[] shape, MemorySegment src, long[] srcStrides, MemorySegment dst) {
        long total = total(shape);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dims = dims(arena, shape, srcStrides, new long[0], "copyStrided");
            launch("elementwise", "copy_strided", blocks(total), THREADS, 0,
                    k -> k.struct(dims).ptr(src).ptr(dst).i64(total));
        }
    }

    @Override
    public void reduce(ReduceOp op, MemorySegment x, MemorySegment out, int outer, int dim, int inner) {
        launch("elementwise", "reduce", blocks((long) outer * inner), THREADS, 0,
                k -> k.i32(op.ordinal()).ptr(x).ptr(out).i32(outer).i32(dim).i32(inner));
    }

    // ------------------------------------------------------------------ softmax and norms

    @Override
    public void softmax(MemorySegment x, MemorySegment y, int rows, int cols, boolean causal, int tq) {
        launch("norms", "softmax", rows, THREADS, 0,
                k -> k.ptr(x).ptr(y).i32(rows).i32(cols).i32(causal ? 1 : 0).i32(Math.max(1, tq)));
    }

    @Override
    public void softmaxBackward(MemorySegment y, MemorySegment dy, MemorySegment dx, int rows, int cols) {
        launch("norms", "softmax_backward", rows, THREADS, 0,
                k -> k.ptr(y).ptr(dy).ptr(dx).i32(rows).i32(cols));
    }

    @Override
    public void layerNorm(MemorySegment x, MemorySegment gamma, MemorySegment beta, MemorySegment y,
                          MemorySegment mean, MemorySegment rstd, int rows, int cols, float eps) {
        launch("norms", "layer_norm", rows, THREADS, 0,
                k -> k.ptr(x).ptr(gamma).ptr(beta).ptr(y).ptr(mean).ptr(rstd).i32(rows).i32(cols).f32(eps));
    }

    @Override
    public void layerNormBackward(MemorySegment x, MemorySegment gamma, MemorySegment mean, MemorySegment rstd,
                                  MemorySegment dy, MemorySegment dx, MemorySegment dgamma, MemorySegment dbeta,
                                  int rows, int cols) {
        launch("norms", "layer_norm_backward_dx", rows, THREADS, 0,
                k -> k.ptr(x).ptr(gamma).ptr(mean).ptr(rstd).ptr(dy).ptr(dx).i32(rows).i32(cols));
        if (!dgamma.equals(MemorySegment.NULL) || !dbeta.equals(MemorySegment.NULL)) {
            launch("norms", "layer_norm_backward_params", blocks(cols), THREADS, 0,
                    k -> k.ptr(x).ptr(mean).ptr(rstd).ptr(dy).ptr(dgamma).ptr(dbeta).i32(rows).i32(cols));
        }
    }

    @Override
    public void rmsNorm(MemorySegment x, MemorySegment weight, MemorySegment y, MemorySegment rstd, int rows,
                        int cols, float eps) {
        launch("norms", "rms_norm", rows, THREADS, 0,
                k -> k.ptr(x).ptr(weight).ptr(y).ptr(rstd).i32(rows).i32(cols).f32(eps));
    }

    @Override
    public void rmsNormBackward(MemorySegment x, MemorySegment weight, MemorySegment rstd, MemorySegment dy,
                                MemorySegment dx, MemorySegment dweight, int rows, int cols) {
        launch("norms", "rms_norm_backward_dx", rows, THREADS, 0,
                k -> k.ptr(x).ptr(weight).ptr(rstd).ptr(dy).ptr(dx).i32(rows).i32(cols));
        if (!dweight.equals(MemorySegment.NULL)) {
            launch("norms", "rms_norm_backward_weight", blocks(cols), THREADS, 0,
                    k -> k.ptr(x).ptr(rstd).ptr(dy).ptr(dweight).i32(rows).i32(cols));
        }
    }

    // ------------------------------------------------------------------ embeddings and losses

    /** Runs check_ids; returns {first bad position or MAX_VALUE, count of non-ignored ids}. */
    private int[] checkIds(MemorySegment ids, int n, int limit, int ignore) {
                MemorySegment status = allocate(8);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(JAVA_INT, 2);
            host.setAtIndex(JAVA_INT, 0, Integer.MAX_VALUE);
            host.setAtIndex(JAVA_INT, 1, 0);
            copyToDevice(host, status, 8);
            launch("losses", "check_ids", blocks(n), THREADS, 0,
                    k -> k.ptr(ids).i32(n).i32(limit).i32(ignore).ptr(status));
            copyToHost(status, host, 8);
            return new int[] {host.getAtIndex(JAVA_INT, 0), host.getAtIndex(JAVA_INT, 1)};
        } finally {
            free(status);
        }
    }

    private int idAt(MemorySegment ids, int position) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(JAVA_INT);
            copyToHost(ids.asSlice(4L * position, 4), host, 4);
            return host.get(JAVA_INT, 0);
        }
    }

    private void requireIds(String kernel, MemorySegment ids, int n, int vocab) {
        int bad = checkIds(ids, n, vocab, Integer.MIN_VALUE)[0];
        if (bad != Integer.MAX_VALUE) {
            throw new IndexOutOfBoundsException(kernel + ": ids[" + bad + "] = " + idAt(ids, bad)
                    + " is outside [0, " + vocab + ")");
        }
    }

    @Override
    public void embedding(MemorySegment ids, MemorySegment table, MemorySegment out, int n, int vocab, int dim) {
        requireIds("embedding", ids, n, vocab);
        launch("losses", "embedding", blocks((long) n * dim), THREADS, 0,
                k -> k.ptr(ids).ptr(table).ptr(out).i32(n).i32(dim));
    }

    @Override
    public void embeddingBackward(MemorySegment ids, MemorySegment dout, MemorySegment dtable, int n, int vocab,
                                  int dim) {
        requireIds("embeddingBackward", ids, n, vocab);
        launch("losses", "embedding_backward", blocks((long) n * dim), THREADS, 0,
                k -> k.ptr(ids).ptr(dout).ptr(dtable).i32(n).i32(dim));
    }

    @Override
    public int crossEntropy(MemorySegment logits, MemorySegment targets, MemorySegment losses, MemorySegment dlogits,
                            int rows, int classes, int ignoreIndex, float labelSmoothing) {
        int[] status = checkIds(targets, rows, classes, ignoreIndex);
        if (status[0] != Integer.MAX_VALUE) {
            throw new IndexOutOfBoundsException("crossEntropy: target of row " + status[0] + " is "
                    + idAt(targets, status[0]) + ", outside [0, " + classes + ") and not the ignore index "
                    + ignoreIndex);
        }
        launch("losses", "cross_entropy", rows, THREADS, 0, k -> k.ptr(logits).ptr(targets).ptr(losses)
                .ptr(dlogits).i32(rows).i32(classes).i32(ignoreIndex).f32(labelSmoothing));
        return status[1];
    }

    // ------------------------------------------------------------------ attention and RoPE

    private int shared(String kernel, long floats) {
        long bytes = floats * Float.BYTES;
        if (bytes > maxSharedBytes()) {
            throw new IllegalArgumentException(kernel + ": needs " + bytes + " bytes of shared memory per block, "
                    + "more than the " + maxSharedBytes() + " the " + name() + " backend uses (sequence too long)");
        }
        return (int) bytes;
    }

    @Override
    public void attention(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out, MemorySegment lse,
                          int bh, int tq, int tk, int d, float scale, boolean causal) {
        int sh = shared("attention", Math.max(1, tk));
        launch("attention", "attention_forward", (long) bh * tq, ATTENTION_THREADS, sh, a -> a.ptr(q).ptr(k).ptr(v).ptr(out)
                .ptr(lse).i32(tq).i32(tk).i32(d).f32(scale).i32(causal ? 1 : 0));
    }

    @Override
    public void attentionBackward(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out,
                                  MemorySegment lse, MemorySegment dout, MemorySegment dq, MemorySegment dk,
                                  MemorySegment dv, int bh, int tq, int tk, int d, float scale, boolean causal) {
                int shq = shared("attentionBackward", 2L * Math.max(1, tk));
        int shk = shared("attentionBackward", 2L * Math.max(1, tq));
        MemorySegment delta = allocate((long) Math.max(1, bh * tq) * Float.BYTES); // (bh, tq): Σ_j p·dp
        try {
            launch("attention", "attention_backward_dq", (long) bh * tq, ATTENTION_THREADS, shq, a -> a.ptr(q).ptr(k).ptr(v)
                    .ptr(lse).ptr(dout).ptr(dq).ptr(delta).i32(tq).i32(tk).i32(d).f32(scale).i32(causal ? 1 : 0));
            launch("attention", "attention_backward_dkv", (long) bh * tk, ATTENTION_THREADS, shk, a -> a.ptr(q).ptr(k).ptr(v)
                    .ptr(lse).ptr(dout).ptr(delta).ptr(dk).ptr(dv).i32(tq).i32(tk).i32(d).f32(scale)
                    .i32(causal ? 1 : 0));
        } finally {
            free(delta); // back to the pool: stream order keeps it alive until the kernels ran
        }
    }

    @Override
    public void rope(MemorySegment x, MemorySegment y, MemorySegment cos, MemorySegment sin, int n, int t, int d,
                     boolean inverse) {
        if ((d & 1) != 0) {
            throw new IllegalArgumentException("rope: head dimension d must be even, got " + d);
        }
        launch("attention", "rope", blocks((long) n * t * (d / 2)), THREADS, 0,
                a -> a.ptr(x).ptr(y).ptr(cos).ptr(sin).i32(n).i32(t).i32(d).i32(inverse ? 1 : 0));
    }

    // ------------------------------------------------------------------ optimizer and conversion

    @Override
    public void adamw(MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v, long n, float lr,
                      float beta1, float beta2, float eps, float weightDecay, int step) {
        if (step < 1) {
            throw new IllegalArgumentException("adamw: step starts at 1, got " + step);
        }
        float bias1 = (float) (1.0 - Math.pow(beta1, step));
        float bias2 = (float) (1.0 - Math.pow(beta2, step));
        launch("elementwise", "adamw", blocks(n), THREADS, 0, k -> k.ptr(param).ptr(grad).ptr(m).ptr(v).i64(n)
                .f32(lr).f32(beta1).f32(beta2).f32(eps).f32(weightDecay).f32(bias1).f32(bias2));
    }

    @Override
    public void convert(DType from, MemorySegment src, DType to, MemorySegment dst, long n) {
        if (from == DType.I32 || to == DType.I32) {
            throw new IllegalArgumentException("convert: " + from + " -> " + to + " is not a floating conversion");
        }
        launch("convert", "convert", blocks(n), THREADS, 0,
                k -> k.i32(from.ordinal()).ptr(src).i32(to.ordinal()).ptr(dst).i64(n));
    }
}
