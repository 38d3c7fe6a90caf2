package org.wegeft.kernels.cpu;

import static org.wegeft.kernels.cpu.GemmKernels.L;
import static org.wegeft.kernels.cpu.GemmKernels.NR;
import static org.wegeft.kernels.cpu.GemmKernels.S;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import org.wegeft.kernels.GemmSpec;

/**
 * Packing of GEMM operands into the layouts the micro-kernels read ({@link GemmKernels}). Padding rows and
 * columns of a partial micro-panel are left as they are: they only reach tile entries that are never stored.
 */
final class GemmPacking {

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private GemmPacking() {
    }

    /**
     * Packs op(A)[i0 .. i0+rows, pc .. pc+kc] into one micro-panel of kr rows at ap[dst]: row-major
     * ({@code ap[dst + r·kc + p]}) for a plain A, k-major ({@code ap[dst + p·kr + r]}) for a transposed one.
     */
    static void packA(GemmSpec spec, MemorySegment a, long offA, int i0, int rows, int kr, int pc, int kc,
                      float[] ap, int dst) {
        long lda = spec.lda();
        if (!spec.transA()) {
            // A(i, p) = a[offA + i·lda + p]: copy row pieces
            for (int r = 0; r < rows; r++) {
                copy(a, (offA + (i0 + r) * lda + pc) * Float.BYTES, ap, dst + r * kc, kc);
            }
        } else {
            // A(i, p) = a[offA + p·lda + i]: each k step is a contiguous run of rows
            for (int p = 0; p < kc; p++) {
                long src = (offA + (pc + p) * lda + i0) * Float.BYTES;
                int to = dst + p * kr;
                for (int r = 0; r < rows; r += L) {
                    VectorMask<Float> m = S.indexInRange(r, rows);
                    FloatVector.fromMemorySegment(S, a, src + r * 4L, NATIVE, m).intoArray(ap, to + r, m);
                }
            }
        }
    }

    /** Packs op(B)[pc .. pc+kc, j0 .. j0+cols] into the k-major micro-panel bp[dst + p·NR + j]. */
    static void packB(GemmSpec spec, MemorySegment b, long offB, int pc, int kc, int j0, int cols, float[] bp,
                      int dst) {
        long ldb = spec.ldb();
        if (!spec.transB()) {
            // B(p, j) = b[offB + p·ldb + j]: NR contiguous columns per k step
            for (int p = 0; p < kc; p++) {
                long src = (offB + (pc + p) * ldb + j0) * Float.BYTES;
                int to = dst + p * NR;
                if (cols == NR) {
                    FloatVector.fromMemorySegment(S, b, src, NATIVE).intoArray(bp, to);
                    FloatVector.fromMemorySegment(S, b, src + L * 4L, NATIVE).intoArray(bp, to + L);
                } else {
                    for (int j = 0; j < NR; j += L) {
                        VectorMask<Float> m = S.indexInRange(j, cols);
                        FloatVector.fromMemorySegment(S, b, src + j * 4L, NATIVE, m).intoArray(bp, to + j);
                    }
                }
            }
        } else {
            // B(p, j) = b[offB + j·ldb + p]: each column is a contiguous run of k
            for (int j = 0; j < cols; j++) {
                long src = offB + (j0 + j) * ldb + pc;
                for (int p = 0; p < kc; p++) {
                    bp[dst + p * NR + j] = b.getAtIndex(F, src + p);
                }
            }
        }
    }

    /** Copies n floats from segment byte offset src to dst[to ..]. */
    private static void copy(MemorySegment src, long srcByte, float[] dst, int to, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromMemorySegment(S, src, srcByte + i * 4L, NATIVE).intoArray(dst, to + i);
        }
        if (i < n) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromMemorySegment(S, src, srcByte + i * 4L, NATIVE, m).intoArray(dst, to + i, m);
        }
    }
}
