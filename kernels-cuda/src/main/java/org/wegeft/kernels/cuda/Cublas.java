package org.wegeft.kernels.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import org.wegeft.kernels.device.NativeLibrary;

/**
 * Bindings to cuBLAS ({@code libcublas.so}): one handle bound to the backend's stream, {@code cublasGemmEx} and
 * {@code cublasGemmStridedBatchedEx} on column-major operands (the row-major mapping is {@link ColumnMajorGemm}).
 * alpha and beta are host pointers (cuBLAS's default pointer mode).
 */
final class Cublas {
    static final int CUBLAS_OP_N = 0;
    static final int CUBLAS_OP_T = 1;
    static final int CUDA_R_32F = 0;
    static final int CUDA_R_16BF = 14;
    /** Pure fp32 compute: no TF32, so results meet the conformance tolerance. */
    static final int CUBLAS_COMPUTE_32F = 68;
    /** fp32 with inputs rounded to bf16 on tensor cores (opt-in). */
    static final int CUBLAS_COMPUTE_32F_FAST_16BF = 75;
    /** fp32 with TF32 tensor cores (opt-in). */
    static final int CUBLAS_COMPUTE_32F_FAST_TF32 = 77;
    static final int CUBLAS_GEMM_DEFAULT = -1;

    /** The opened library before any handle exists (availability probing creates none). */
    record Loader(NativeLibrary library) {
        Cublas create(MemorySegment stream) {
            return new Cublas(library, stream);
        }
    }

    private final NativeLibrary lib;
    private final MemorySegment handle;

    Cublas(NativeLibrary lib, MemorySegment stream) {
        this.lib = lib;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocate(ADDRESS);
            check("cublasCreate_v2", lib.status("cublasCreate_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS), h));
            this.handle = h.get(ADDRESS, 0);
        }
        check("cublasSetStream_v2", lib.status("cublasSetStream_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS),
                handle, stream));
    }

    NativeLibrary library() {
        return lib;
    }

    /**
     * One column-major product (batch 1) or a strided batch; {@code inputType} is CUDA_R_32F or CUDA_R_16BF for A and
     * B, C is always CUDA_R_32F.
     */
    void gemm(ColumnMajorGemm g, long a, long b, long c, int inputType, int computeType) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment alpha = arena.allocateFrom(JAVA_FLOAT, g.alpha());
            MemorySegment beta = arena.allocateFrom(JAVA_FLOAT, g.beta());
            int transa = g.transA() ? CUBLAS_OP_T : CUBLAS_OP_N;
            int transb = g.transB() ? CUBLAS_OP_T : CUBLAS_OP_N;
            int rc;
            if (g.batch() == 1) {
                rc = lib.status("cublasGemmEx", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
                                JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT,
                                ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
                        handle, transa, transb, g.m(), g.n(), g.k(), alpha, a, inputType, g.lda(), b, inputType,
                        g.ldb(), beta, c, CUDA_R_32F, g.ldc(), computeType, CUBLAS_GEMM_DEFAULT);
                checkGemm("cublasGemmEx", rc, g);
            } else {
                rc = lib.status("cublasGemmStridedBatchedEx", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT,
                                JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG,
                                JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT,
                                JAVA_INT, JAVA_INT),
                        handle, transa, transb, g.m(), g.n(), g.k(), alpha, a, inputType, g.lda(), g.strideA(), b,
                        inputType, g.ldb(), g.strideB(), beta, c, CUDA_R_32F, g.ldc(), g.strideC(), g.batch(),
                        computeType, CUBLAS_GEMM_DEFAULT);
                checkGemm("cublasGemmStridedBatchedEx", rc, g);
            }
        }
    }

    void destroy() {
        lib.status("cublasDestroy_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS), handle);
    }

    private void checkGemm(String call, int rc, ColumnMajorGemm g) {
        if (rc != 0) {
            throw new CudaException(call, statusName(rc), g.toString());
        }
    }

    String statusName(int status) {
        if (lib.has("cublasGetStatusName")) {
            try {
                MemorySegment s = (MemorySegment) lib.handle("cublasGetStatusName",
                        FunctionDescriptor.of(ADDRESS, JAVA_INT)).invoke(status);
                if (!s.equals(MemorySegment.NULL)) {
                    return s.reinterpret(256).getString(0);
                }
            } catch (Throwable t) {
                // fall through to the number
            }
        }
        return "cublasStatus " + status;
    }

    private void check(String call, int status) {
        if (status != 0) {
            throw new CudaException(call, statusName(status), "");
        }
    }
}
