package org.wegeft.kernels.cuda;

import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.function.Consumer;
import org.wegeft.kernels.Availability;
import org.wegeft.kernels.GemmSpec;
import org.wegeft.kernels.device.DeviceKernelBackend;
import org.wegeft.kernels.device.Lazy;

/**
 * The CUDA backend: device memory, cuBLAS GEMMs and the shared kernels ({@link DeviceKernelBackend}) compiled by
 * NVRTC, all issued in order on one stream of device 0's primary context. Buffers are device addresses wrapped as segments
 * ({@code MemorySegment.ofAddress(ptr).reinterpret(bytes)}) and never touched from Java; data enters and leaves
 * through {@link #copyToDevice} / {@link #copyToHost}. Kernels run asynchronously: a call returns once its work is
 * queued; {@link #synchronize()} waits. Only the index checks of embedding and cross-entropy (and cross-entropy's
 * row count) read a few bytes back, so they synchronise.
 *
 * <p>GEMM compute is pure float32 ({@code CUBLAS_COMPUTE_32F}) unless {@code -Dwegeft.cuda.gemm=tf32|bf16} opts in to
 * tensor-core modes that round the inputs. Attention keeps a row of scores in shared memory: tk ≤ 12,288 forward,
 * 6,144 backward.
 */
public final class CudaBackend extends DeviceKernelBackend {
    public static final String NAME = "cuda";
    public static final String GEMM_PROPERTY = "wegeft.cuda.gemm";

    private final Lazy<CudaRuntime> runtime = new Lazy<>(() -> CudaRuntime.open(CudaRuntime.probe()
            .partsOrThrow(reason -> new CudaException("cuda backend", "UNAVAILABLE", reason))));

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Availability availability() {
        return CudaRuntime.probe().availability();
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

    private CudaRuntime rt() {
        CudaRuntime r = runtime.get();
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

    // ------------------------------------------------------------------ the shared kernels

    @Override
    protected void launch(String module, String kernel, long grid, int block, int sharedBytes,
                          Consumer<LaunchArgs> args) {
        rt().launch(module, kernel, grid, block, sharedBytes, args);
    }
}
