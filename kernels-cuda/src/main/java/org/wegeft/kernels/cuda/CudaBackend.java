package org.wegeft.kernels.cuda;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.Availability;
import org.wegeft.kernels.BinaryOp;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.GemmSpec;
import org.wegeft.kernels.KernelBackend;
import org.wegeft.kernels.ReduceOp;
import org.wegeft.kernels.UnaryOp;

/**
 * The CUDA backend: device memory, cuBLAS GEMMs and NVRTC-compiled CUDA C kernels, all issued in order on one
 * stream of device 0's primary context. Buffers are device addresses wrapped as segments
 * ({@code MemorySegment.ofAddress(ptr).reinterpret(bytes)}) and never touched from Java; data enters and leaves
 * through {@link #copyToDevice} / {@link #copyToHost}. Kernels run asynchronously: a call returns once its work is
 * queued; {@link #synchronize()} waits. Only the index checks of embedding and cross-entropy (and cross-entropy's
 * row count) read a few bytes back, so they synchronise.
 *
 * <p>GEMM compute is pure float32 ({@code CUBLAS_COMPUTE_32F}) unless {@code -Dwegeft.cuda.gemm=tf32|bf16} opts in to
 * tensor-core modes that round the inputs. Attention keeps a row of scores in shared memory: tk ≤ 12,288 forward,
 * 6,144 backward.
 */
public final class CudaBackend implements KernelBackend {
    public static final String NAME = "cuda";
    public static final String GEMM_PROPERTY = "wegeft.cuda.gemm";
    private static final int THREADS = 256;
    private static final int MAX_SHARED = 48 * 1024;

    private volatile @Nullable CudaRuntime runtime;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Availability availability() {
        return switch (CudaRuntime.probe()) {
            case CudaRuntime.Ready r -> Availability.yes(r.describe());
            case CudaRuntime.Unavailable u -> Availability.no(u.reason());
        };
    }

    @Override
    public int priority() {
        return 200;
    }

    /** Not until {@code tools/gpu-check.sh} has passed on a GPU: it runs when asked for ({@code WEGEFT_BACKEND=cuda}). */
    @Override
    public boolean chosenByDefault() {
        return false;
    }

    @Override
    public boolean hostAccessible() {
        return false;
    }

    private CudaRuntime rt() {
        CudaRuntime r = runtime;
        if (r == null) {
            synchronized (this) {
                r = runtime;
                if (r == null) {
                    switch (CudaRuntime.probe()) {
                        case CudaRuntime.Ready ready -> runtime = r = CudaRuntime.open(ready);
                        case CudaRuntime.Unavailable u -> throw new CudaException("cuda backend", "UNAVAILABLE",
                                u.reason());
                    }
                }
            }
        }
        r.enter();
        return r;
    }

    // ------------------------------------------------------------------ memory

    @Override
    public MemorySegment allocate(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("allocate: negative size " + bytes);
        }
        return MemorySegment.ofAddress(rt().pool.allocate(bytes)).reinterpret(bytes);
    }

    @Override
    public void free(MemorySegment buffer) {
        rt().pool.free(buffer.address());
    }

    @Override
    public void copyToDevice(MemorySegment host, MemorySegment device, long bytes) {
        CudaRuntime r = rt();
        if (bytes > 0) {
            r.driver().copyHtoDAsync(device.address(), host, bytes, r.stream);
            r.synchronize(); // the host buffer may be released as soon as we return
        }
    }

    @Override
    public void copyToHost(MemorySegment device, MemorySegment host, long bytes) {
        CudaRuntime r = rt();
        if (bytes > 0) {
            r.driver().copyDtoHAsync(host, device.address(), bytes, r.stream);
            r.synchronize();
        }
    }

    @Override
    public void copy(MemorySegment src, MemorySegment dst, long bytes) {
        CudaRuntime r = rt();
        if (bytes > 0) {
            r.driver().copyDtoDAsync(dst.address(), src.address(), bytes, r.stream);
        }
    }

    @Override
    public void synchronize() {
        rt().synchronize();
    }

    /** Returns the pool's cached blocks to the driver (call between phases that use very different sizes). */
    public void trimPool() {
        rt().pool.trim();
    }

    // ------------------------------------------------------------------ GEMM

    @Override
    public void gemm(GemmSpec spec, MemorySegment a, MemorySegment b, MemorySegment c) {
        runGemm(spec, a, b, c, Cublas.CUDA_R_32F, computeType());
    }

    /**
     * The same product with A and B stored as bf16 (C float32), on tensor cores with float32 accumulation; for
     * benchmarks and mixed-precision callers.
     */
    public void gemmBf16(GemmSpec spec, MemorySegment a, MemorySegment b, MemorySegment c) {
        runGemm(spec, a, b, c, Cublas.CUDA_R_16BF, Cublas.CUBLAS_COMPUTE_32F);
    }

    private void runGemm(GemmSpec spec, MemorySegment a, MemorySegment b, MemorySegment c, int type, int compute) {
        CudaRuntime r = rt();
        ColumnMajorGemm g = ColumnMajorGemm.of(spec);
        if (!g.empty()) {
            // the call's A operand is our B (see ColumnMajorGemm)
            r.cublas.gemm(g, b.address(), a.address(), c.address(), type, compute);
        }
    }

    static int computeType() {
        String mode = System.getProperty(GEMM_PROPERTY, "fp32").trim().toLowerCase(Locale.ROOT);
        return switch (mode) {
            case "fp32", "" -> Cublas.CUBLAS_COMPUTE_32F;
            case "tf32" -> Cublas.CUBLAS_COMPUTE_32F_FAST_TF32;
            case "bf16" -> Cublas.CUBLAS_COMPUTE_32F_FAST_16BF;
            default -> throw new IllegalArgumentException("-D" + GEMM_PROPERTY + "=" + mode
                    + ": expected fp32, tf32 or bf16");
        };
    }

    // ------------------------------------------------------------------ elementwise

    private static long blocks(long n) {
        return Math.min((n + THREADS - 1) / THREADS, 1L << 20);
    }

    @Override
    public void unary(UnaryOp op, MemorySegment x, MemorySegment y, long n) {
        rt().launch("elementwise", "unary_forward", blocks(n), THREADS, 0,
                k -> k.i32(op.ordinal()).ptr(x).ptr(y).i64(n));
    }

    @Override
    public void unaryBackward(UnaryOp op, MemorySegment x, MemorySegment dy, MemorySegment dx, long n) {
        rt().launch("elementwise", "unary_backward", blocks(n), THREADS, 0,
                k -> k.i32(op.ordinal()).ptr(x).ptr(dy).ptr(dx).i64(n));
    }

    @Override
    public void affine(MemorySegment x, MemorySegment y, long n, float scale, float shift) {
        rt().launch("elementwise", "affine", blocks(n), THREADS, 0, k -> k.ptr(x).ptr(y).i64(n).f32(scale).f32(shift));
    }

    @Override
    public void fill(MemorySegment y, long n, float value) {
        rt().launch("elementwise", "fill", blocks(n), THREADS, 0, k -> k.ptr(y).i64(n).f32(value));
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
            MemorySegment dims = KernelArgs.dims(arena, shape, aStrides, bStrides, "binary");
            rt().launch("elementwise", "binary", blocks(total), THREADS, 0,
                    k -> k.i32(op.ordinal()).struct(dims).ptr(a).ptr(b).ptr(out).i64(total));
        }
    }

    @Override
    public void copyStrided(int[] shape, MemorySegment src, long[] srcStrides, MemorySegment dst) {
        long total = total(shape);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dims = KernelArgs.dims(arena, shape, srcStrides, new long[0], "copyStrided");
            rt().launch("elementwise", "copy_strided", blocks(total), THREADS, 0,
                    k -> k.struct(dims).ptr(src).ptr(dst).i64(total));
        }
    }

    @Override
    public void reduce(ReduceOp op, MemorySegment x, MemorySegment out, int outer, int dim, int inner) {
        rt().launch("elementwise", "reduce", blocks((long) outer * inner), THREADS, 0,
                k -> k.i32(op.ordinal()).ptr(x).ptr(out).i32(outer).i32(dim).i32(inner));
    }

    // ------------------------------------------------------------------ softmax and norms

    @Override
    public void softmax(MemorySegment x, MemorySegment y, int rows, int cols, boolean causal, int tq) {
        rt().launch("norms", "softmax", rows, THREADS, 0,
                k -> k.ptr(x).ptr(y).i32(rows).i32(cols).i32(causal ? 1 : 0).i32(Math.max(1, tq)));
    }

    @Override
    public void softmaxBackward(MemorySegment y, MemorySegment dy, MemorySegment dx, int rows, int cols) {
        rt().launch("norms", "softmax_backward", rows, THREADS, 0,
                k -> k.ptr(y).ptr(dy).ptr(dx).i32(rows).i32(cols));
    }

    @Override
    public void layerNorm(MemorySegment x, MemorySegment gamma, MemorySegment beta, MemorySegment y,
                          MemorySegment mean, MemorySegment rstd, int rows, int cols, float eps) {
        rt().launch("norms", "layer_norm", rows, THREADS, 0,
                k -> k.ptr(x).ptr(gamma).ptr(beta).ptr(y).ptr(mean).ptr(rstd).i32(rows).i32(cols).f32(eps));
    }

    @Override
    public void layerNormBackward(MemorySegment x, MemorySegment gamma, MemorySegment mean, MemorySegment rstd,
                                  MemorySegment dy, MemorySegment dx, MemorySegment dgamma, MemorySegment dbeta,
                                  int rows, int cols) {
        CudaRuntime r = rt();
        r.launch("norms", "layer_norm_backward_dx", rows, THREADS, 0,
                k -> k.ptr(x).ptr(gamma).ptr(mean).ptr(rstd).ptr(dy).ptr(dx).i32(rows).i32(cols));
        if (!dgamma.equals(MemorySegment.NULL) || !dbeta.equals(MemorySegment.NULL)) {
            r.launch("norms", "layer_norm_backward_params", blocks(cols), THREADS, 0,
                    k -> k.ptr(x).ptr(mean).ptr(rstd).ptr(dy).ptr(dgamma).ptr(dbeta).i32(rows).i32(cols));
        }
    }

    @Override
    public void rmsNorm(MemorySegment x, MemorySegment weight, MemorySegment y, MemorySegment rstd, int rows,
                        int cols, float eps) {
        rt().launch("norms", "rms_norm", rows, THREADS, 0,
                k -> k.ptr(x).ptr(weight).ptr(y).ptr(rstd).i32(rows).i32(cols).f32(eps));
    }

    @Override
    public void rmsNormBackward(MemorySegment x, MemorySegment weight, MemorySegment rstd, MemorySegment dy,
                                MemorySegment dx, MemorySegment dweight, int rows, int cols) {
        CudaRuntime r = rt();
        r.launch("norms", "rms_norm_backward_dx", rows, THREADS, 0,
                k -> k.ptr(x).ptr(weight).ptr(rstd).ptr(dy).ptr(dx).i32(rows).i32(cols));
        if (!dweight.equals(MemorySegment.NULL)) {
            r.launch("norms", "rms_norm_backward_weight", blocks(cols), THREADS, 0,
                    k -> k.ptr(x).ptr(rstd).ptr(dy).ptr(dweight).i32(rows).i32(cols));
        }
    }

    // ------------------------------------------------------------------ embeddings and losses

    /** Runs check_ids; returns {first bad position or MAX_VALUE, count of non-ignored ids}. */
    private int[] checkIds(MemorySegment ids, int n, int limit, int ignore) {
        CudaRuntime r = rt();
        MemorySegment status = allocate(8);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(JAVA_INT, 2);
            host.setAtIndex(JAVA_INT, 0, Integer.MAX_VALUE);
            host.setAtIndex(JAVA_INT, 1, 0);
            copyToDevice(host, status, 8);
            r.launch("losses", "check_ids", blocks(n), THREADS, 0,
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
        rt().launch("losses", "embedding", blocks((long) n * dim), THREADS, 0,
                k -> k.ptr(ids).ptr(table).ptr(out).i32(n).i32(dim));
    }

    @Override
    public void embeddingBackward(MemorySegment ids, MemorySegment dout, MemorySegment dtable, int n, int vocab,
                                  int dim) {
        requireIds("embeddingBackward", ids, n, vocab);
        rt().launch("losses", "embedding_backward", blocks((long) n * dim), THREADS, 0,
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
        rt().launch("losses", "cross_entropy", rows, THREADS, 0, k -> k.ptr(logits).ptr(targets).ptr(losses)
                .ptr(dlogits).i32(rows).i32(classes).i32(ignoreIndex).f32(labelSmoothing));
        return status[1];
    }

    // ------------------------------------------------------------------ attention and RoPE

    private static int shared(String kernel, long floats) {
        long bytes = floats * Float.BYTES;
        if (bytes > MAX_SHARED) {
            throw new IllegalArgumentException(kernel + ": needs " + bytes + " bytes of shared memory per block, "
                    + "more than the " + MAX_SHARED + " the CUDA backend uses (sequence too long)");
        }
        return (int) bytes;
    }

    @Override
    public void attention(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out, MemorySegment lse,
                          int bh, int tq, int tk, int d, float scale, boolean causal) {
        int sh = shared("attention", Math.max(1, tk));
        rt().launch("attention", "attention_forward", (long) bh * tq, 128, sh, a -> a.ptr(q).ptr(k).ptr(v).ptr(out)
                .ptr(lse).i32(tq).i32(tk).i32(d).f32(scale).i32(causal ? 1 : 0));
    }

    @Override
    public void attentionBackward(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out,
                                  MemorySegment lse, MemorySegment dout, MemorySegment dq, MemorySegment dk,
                                  MemorySegment dv, int bh, int tq, int tk, int d, float scale, boolean causal) {
        CudaRuntime r = rt();
        int shq = shared("attentionBackward", 2L * Math.max(1, tk));
        int shk = shared("attentionBackward", 2L * Math.max(1, tq));
        MemorySegment delta = allocate((long) Math.max(1, bh * tq) * Float.BYTES); // (bh, tq): Σ_j p·dp
        try {
            r.launch("attention", "attention_backward_dq", (long) bh * tq, 128, shq, a -> a.ptr(q).ptr(k).ptr(v)
                    .ptr(lse).ptr(dout).ptr(dq).ptr(delta).i32(tq).i32(tk).i32(d).f32(scale).i32(causal ? 1 : 0));
            r.launch("attention", "attention_backward_dkv", (long) bh * tk, 128, shk, a -> a.ptr(q).ptr(k).ptr(v)
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
        rt().launch("attention", "rope", blocks((long) n * t * (d / 2)), THREADS, 0,
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
        rt().launch("elementwise", "adamw", blocks(n), THREADS, 0, k -> k.ptr(param).ptr(grad).ptr(m).ptr(v).i64(n)
                .f32(lr).f32(beta1).f32(beta2).f32(eps).f32(weightDecay).f32(bias1).f32(bias2));
    }

    @Override
    public void convert(DType from, MemorySegment src, DType to, MemorySegment dst, long n) {
        if (from == DType.I32 || to == DType.I32) {
            throw new IllegalArgumentException("convert: " + from + " -> " + to + " is not a floating conversion");
        }
        rt().launch("convert", "convert", blocks(n), THREADS, 0,
                k -> k.i32(from.ordinal()).ptr(src).i32(to.ordinal()).ptr(dst).i64(n));
    }
}
