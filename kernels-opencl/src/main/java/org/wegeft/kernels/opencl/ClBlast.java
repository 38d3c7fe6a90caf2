package org.wegeft.kernels.opencl;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import org.wegeft.kernels.device.NativeLibrary;

/**
 * Bindings to CLBlast's C API ({@code libclblast.so.1}): single-precision GEMM, one product or a strided batch,
 * row-major, so our {@link org.wegeft.kernels.GemmSpec} maps onto it field for field (offsets and strides in
 * elements). CLBlast compiles and tunes its kernels for the device at first use and keeps them for the process.
 */
final class ClBlast {
    static final int ROW_MAJOR = 101;
    static final int NO_TRANS = 111;
    static final int TRANS = 112;

    private final NativeLibrary lib;
    private final MethodHandle sgemm;
    private final MethodHandle sgemmStridedBatched;

    ClBlast(NativeLibrary lib) {
        this.lib = lib;
        // layout, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, queue*, event*
        this.sgemm = lib.handle("CLBlastSgemm", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_FLOAT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG,
                JAVA_LONG, JAVA_FLOAT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS));
        // the same with a stride after each leading dimension, and the batch count before the queue
        this.sgemmStridedBatched = lib.handle("CLBlastSgemmStridedBatched", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_FLOAT, ADDRESS, JAVA_LONG, JAVA_LONG,
                JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_FLOAT, ADDRESS, JAVA_LONG, JAVA_LONG,
                JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS));
    }

    NativeLibrary library() {
        return lib;
    }

    /** One operand of a product: a buffer and an element offset into it. */
    record Operand(MemorySegment mem, long offset) {
    }

    /**
     * {@code C = alpha·op(A)·op(B) + beta·C} for each of {@code batch} products (row-major); {@code queuePtr} points to
     * the {@code cl_command_queue}.
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Operand a, int lda, long strideA,
              Operand b, int ldb, long strideB, float beta, Operand c, int ldc, long strideC, int batch,
              MemorySegment queuePtr) {
        int ta = transA ? TRANS : NO_TRANS;
        int tb = transB ? TRANS : NO_TRANS;
        int rc;
        try {
            if (batch == 1) {
                rc = (int) sgemm.invokeExact(ROW_MAJOR, ta, tb, (long) m, (long) n, (long) k, alpha, a.mem(),
                        a.offset(), (long) lda, b.mem(), b.offset(), (long) ldb, beta, c.mem(), c.offset(),
                        (long) ldc, queuePtr, MemorySegment.NULL);
            } else {
                rc = (int) sgemmStridedBatched.invokeExact(ROW_MAJOR, ta, tb, (long) m, (long) n, (long) k, alpha,
                        a.mem(), a.offset(), (long) lda, strideA, b.mem(), b.offset(), (long) ldb, strideB, beta,
                        c.mem(), c.offset(), (long) ldc, strideC, (long) batch, queuePtr, MemorySegment.NULL);
            }
        } catch (Throwable t) {
            throw new OpenClException("CLBlastSgemm", -9999, t.toString());
        }
        if (rc != 0) {
            throw new OpenClException(batch == 1 ? "CLBlastSgemm" : "CLBlastSgemmStridedBatched", rc,
                    "m=" + m + " n=" + n + " k=" + k + " batch=" + batch + " transA=" + transA + " transB=" + transB
                            + " lda=" + lda + " ldb=" + ldb + " ldc=" + ldc);
        }
    }
}
