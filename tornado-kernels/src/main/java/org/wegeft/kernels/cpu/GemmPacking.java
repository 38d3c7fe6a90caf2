package org.wegeft.kernels.cpu;

import static org.wegeft.kernels.cpu.GemmKernels.L;
import static org.wegeft.kernels.cpu.GemmKernels.NR;
import static org.wegeft.kernels.cpu.GemmKernels.S;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;

import org.wegeft.kernels.GemmSpec;

/**
 * Packing of GEMM operands into the layouts the micro-kernels read ({@link GemmKernels}). Padding rows and
 * columns of a partial micro-panel are left as they are: they only reach tile entries that are never stored.
 * Tails are copied by scalar loops: masked vector accesses to memory segments are not always intrinsified and
 * then cost far more than the few elements they move.
 */
final class GemmPacking {

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private GemmPacking() {
    }

    /**
     * Packs op(A)[i0 .. i0+rows, pc .. pc+kc] into one micro-panel of kr rows at ap[dst]: row-major
     * ({@code ap[dst + r·stride + p]}) for a plain A, k-major ({@code ap[dst + p·kr + r]}) for a transposed one.
     */
    static void packA(GemmSpec spec, MemorySegment a, long offA, int i0, int rows, int kr, int pc, int kc,
                      float[] ap, int dst, int stride) {
        long lda = spec.lda();
        if (!spec.transA()) {
            // A(i, p) = a[offA + i·lda + p]: copy row pieces
            for (int r = 0; r < rows; r++) {
                copy(a, (offA + (i0 + r) * lda + pc) * Float.BYTES, ap, dst + r * stride, kc);
            }
        } else {
            // A(i, p) = a[offA + p·lda + i]: each k step is a contiguous run of rows
            for (int p = 0; p < kc; p++) {
                long src = offA + (pc + p) * lda + i0;
                int to = dst + p * kr;
                for (int r = 0; r < rows; r++) {
                    ap[to + r] = a.getAtIndex(F, src + r);
                }
            }
        }
    }

    /**
     * Packs a whole row block of a transposed A (rows r0 .. r0+rows, k pc .. pc+kc) into consecutive k-major
     * micro-panels of 12 rows (the last one of {@link CpuGemm#kernelRows} rows). One micro-panel at a time, so
     * the writes are one contiguous stream: walking each k step across all the block's micro-panels instead (12
     * write streams) took 1.8 times as long, 0.22 against 0.12 ns a float.
     */
    static void packBlockTransA(GemmSpec spec, MemorySegment a, long offA, int r0, int rows, int pc, int kc,
                                float[] ap) {
        int full = rows / 12;
        int rest = rows - full * 12;
        int kr = rest == 0 ? 0 : CpuGemm.kernelRows(rest);
        int restOff = full * 12 * kc;
        long lda = spec.lda();
        long first = offA + pc * lda + r0;   // A(r0, pc): each k step is a contiguous run of rows
        long limit = a.byteSize() - (long) L * Float.BYTES;
        for (int f = 0; f < full; f++) {
            int dst = f * 12 * kc;
            long src = first + f * 12L;
            int p = 0;
            if (L == 16) {
                // the 4 lanes past the panel row land on the next k step's slots, rewritten right after
                for (; p < kc - 1 && (src + p * lda) * Float.BYTES <= limit; p++) {
                    FloatVector.fromMemorySegment(S, a, (src + p * lda) * Float.BYTES, NATIVE)
                            .intoArray(ap, dst + p * 12);
                }
            }
            for (; p < kc; p++) {
                for (int r = 0; r < 12; r++) {
                    ap[dst + p * 12 + r] = a.getAtIndex(F, src + p * lda + r);
                }
            }
        }
        for (int p = 0; p < kc; p++) {
            for (int r = 0; r < rest; r++) {
                ap[restOff + p * kr + r] = a.getAtIndex(F, first + p * lda + full * 12L + r);
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
                    long first = src / Float.BYTES;
                    for (int j = 0; j < cols; j++) {
                        bp[to + j] = b.getAtIndex(F, first + j);
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
        long first = srcByte / Float.BYTES;
        for (; i < n; i++) {
            dst[to + i] = src.getAtIndex(F, first + i);
        }
    }
}
