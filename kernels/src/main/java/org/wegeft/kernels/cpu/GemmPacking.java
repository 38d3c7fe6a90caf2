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
     * Packs A[i0 .. i0+rows, pc .. pc+kc] of a plain (not transposed) A into a row-major micro-panel at ap[dst]
     * ({@code ap[dst + r·stride + p]}): a copy of row pieces. A transposed A goes through {@link #packBlockTransA}.
     */
    static void packA(GemmSpec spec, MemorySegment a, long offA, int i0, int rows, int pc, int kc, float[] ap,
                      int dst, int stride) {
        long lda = spec.lda();
        for (int r = 0; r < rows; r++) {
            copy(a, (offA + (i0 + r) * lda + pc) * Float.BYTES, ap, dst + r * stride, kc);
        }
    }

    /**
     * Packs a whole row block of a transposed A (rows r0 .. r0+rows, k pc .. pc+kc) into consecutive k-major
     * micro-panels of 12 rows (the last one of {@link CpuGemm#kernelRows} rows). One micro-panel at a time, so
     * the writes are one contiguous stream, not 12 interleaved ones (walking each k step across all the block's
     * micro-panels), which the write buffers handle far worse.
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
            int p0 = 0;
            if (L == 16 && cols == NR) {
                // whole 16×16 blocks transposed in registers, much faster than element by element; the scalar loop
                // does the last kc % 16 k steps
                p0 = kc / 16 * 16;
                for (int h = 0; h < NR; h += 16) {
                    long col = offB + (long) (j0 + h) * ldb + pc;
                    for (int p = 0; p < p0; p += 16) {
                        transpose16(b, col + p, ldb, bp, dst + p * NR + h);
                    }
                }
            }
            for (int j = 0; j < cols; j++) {
                long src = offB + (j0 + j) * ldb + pc;
                for (int p = p0; p < kc; p++) {
                    bp[dst + p * NR + j] = b.getAtIndex(F, src + p);
                }
            }
        }
    }

    /**
     * Two-source lane indices of the four stages of {@link #transpose16}, 16 per stage: stage s swaps bit s of the
     * row with bit s of the lane, taking lane l of the pair's low row ({@code LOW}) or high row ({@code HIGH}) from
     * lane l or l ^ 2^s of either (an index of 16 or more picks the high row). Plain floats, loaded as vectors
     * where they are used, so that C2 knows their exact vector class there.
     */
    private static final float[] LOW = new float[64];
    private static final float[] HIGH = new float[64];

    static {
        for (int s = 0; s < 4; s++) {
            for (int l = 0; l < 16; l++) {
                boolean set = (l >> s & 1) != 0;
                LOW[16 * s + l] = set ? 16 + (l ^ 1 << s) : l;
                HIGH[16 * s + l] = set ? 16 + l : l ^ 1 << s;
            }
        }
    }

    /**
     * Writes the transpose of the 16×16 block {@code b[src + r·ld + c]} (r, c &lt; 16) to {@code bp[dst + c·NR + r]}:
     * 16 row loads, four stages of 16 two-vector permutes, 16 stores (16-lane vectors only). Unrolled by hand for
     * the same reason as the micro-kernels: C2 keeps the 16 rows in registers only as separate locals.
     */
    static void transpose16(MemorySegment b, long src, long ld, float[] bp, int dst) {
        FloatVector v0 = FloatVector.fromMemorySegment(S, b, (src + 0 * ld) * Float.BYTES, NATIVE);
        FloatVector v1 = FloatVector.fromMemorySegment(S, b, (src + 1 * ld) * Float.BYTES, NATIVE);
        FloatVector v2 = FloatVector.fromMemorySegment(S, b, (src + 2 * ld) * Float.BYTES, NATIVE);
        FloatVector v3 = FloatVector.fromMemorySegment(S, b, (src + 3 * ld) * Float.BYTES, NATIVE);
        FloatVector v4 = FloatVector.fromMemorySegment(S, b, (src + 4 * ld) * Float.BYTES, NATIVE);
        FloatVector v5 = FloatVector.fromMemorySegment(S, b, (src + 5 * ld) * Float.BYTES, NATIVE);
        FloatVector v6 = FloatVector.fromMemorySegment(S, b, (src + 6 * ld) * Float.BYTES, NATIVE);
        FloatVector v7 = FloatVector.fromMemorySegment(S, b, (src + 7 * ld) * Float.BYTES, NATIVE);
        FloatVector v8 = FloatVector.fromMemorySegment(S, b, (src + 8 * ld) * Float.BYTES, NATIVE);
        FloatVector v9 = FloatVector.fromMemorySegment(S, b, (src + 9 * ld) * Float.BYTES, NATIVE);
        FloatVector v10 = FloatVector.fromMemorySegment(S, b, (src + 10 * ld) * Float.BYTES, NATIVE);
        FloatVector v11 = FloatVector.fromMemorySegment(S, b, (src + 11 * ld) * Float.BYTES, NATIVE);
        FloatVector v12 = FloatVector.fromMemorySegment(S, b, (src + 12 * ld) * Float.BYTES, NATIVE);
        FloatVector v13 = FloatVector.fromMemorySegment(S, b, (src + 13 * ld) * Float.BYTES, NATIVE);
        FloatVector v14 = FloatVector.fromMemorySegment(S, b, (src + 14 * ld) * Float.BYTES, NATIVE);
        FloatVector v15 = FloatVector.fromMemorySegment(S, b, (src + 15 * ld) * Float.BYTES, NATIVE);
        FloatVector t;
        FloatVector low0 = FloatVector.fromArray(S, LOW, 0);
        FloatVector high0 = FloatVector.fromArray(S, HIGH, 0);
        t = low0.selectFrom(v0, v1);
        v1 = high0.selectFrom(v0, v1);
        v0 = t;
        t = low0.selectFrom(v2, v3);
        v3 = high0.selectFrom(v2, v3);
        v2 = t;
        t = low0.selectFrom(v4, v5);
        v5 = high0.selectFrom(v4, v5);
        v4 = t;
        t = low0.selectFrom(v6, v7);
        v7 = high0.selectFrom(v6, v7);
        v6 = t;
        t = low0.selectFrom(v8, v9);
        v9 = high0.selectFrom(v8, v9);
        v8 = t;
        t = low0.selectFrom(v10, v11);
        v11 = high0.selectFrom(v10, v11);
        v10 = t;
        t = low0.selectFrom(v12, v13);
        v13 = high0.selectFrom(v12, v13);
        v12 = t;
        t = low0.selectFrom(v14, v15);
        v15 = high0.selectFrom(v14, v15);
        v14 = t;
        FloatVector low1 = FloatVector.fromArray(S, LOW, 16);
        FloatVector high1 = FloatVector.fromArray(S, HIGH, 16);
        t = low1.selectFrom(v0, v2);
        v2 = high1.selectFrom(v0, v2);
        v0 = t;
        t = low1.selectFrom(v1, v3);
        v3 = high1.selectFrom(v1, v3);
        v1 = t;
        t = low1.selectFrom(v4, v6);
        v6 = high1.selectFrom(v4, v6);
        v4 = t;
        t = low1.selectFrom(v5, v7);
        v7 = high1.selectFrom(v5, v7);
        v5 = t;
        t = low1.selectFrom(v8, v10);
        v10 = high1.selectFrom(v8, v10);
        v8 = t;
        t = low1.selectFrom(v9, v11);
        v11 = high1.selectFrom(v9, v11);
        v9 = t;
        t = low1.selectFrom(v12, v14);
        v14 = high1.selectFrom(v12, v14);
        v12 = t;
        t = low1.selectFrom(v13, v15);
        v15 = high1.selectFrom(v13, v15);
        v13 = t;
        FloatVector low2 = FloatVector.fromArray(S, LOW, 32);
        FloatVector high2 = FloatVector.fromArray(S, HIGH, 32);
        t = low2.selectFrom(v0, v4);
        v4 = high2.selectFrom(v0, v4);
        v0 = t;
        t = low2.selectFrom(v1, v5);
        v5 = high2.selectFrom(v1, v5);
        v1 = t;
        t = low2.selectFrom(v2, v6);
        v6 = high2.selectFrom(v2, v6);
        v2 = t;
        t = low2.selectFrom(v3, v7);
        v7 = high2.selectFrom(v3, v7);
        v3 = t;
        t = low2.selectFrom(v8, v12);
        v12 = high2.selectFrom(v8, v12);
        v8 = t;
        t = low2.selectFrom(v9, v13);
        v13 = high2.selectFrom(v9, v13);
        v9 = t;
        t = low2.selectFrom(v10, v14);
        v14 = high2.selectFrom(v10, v14);
        v10 = t;
        t = low2.selectFrom(v11, v15);
        v15 = high2.selectFrom(v11, v15);
        v11 = t;
        FloatVector low3 = FloatVector.fromArray(S, LOW, 48);
        FloatVector high3 = FloatVector.fromArray(S, HIGH, 48);
        t = low3.selectFrom(v0, v8);
        v8 = high3.selectFrom(v0, v8);
        v0 = t;
        t = low3.selectFrom(v1, v9);
        v9 = high3.selectFrom(v1, v9);
        v1 = t;
        t = low3.selectFrom(v2, v10);
        v10 = high3.selectFrom(v2, v10);
        v2 = t;
        t = low3.selectFrom(v3, v11);
        v11 = high3.selectFrom(v3, v11);
        v3 = t;
        t = low3.selectFrom(v4, v12);
        v12 = high3.selectFrom(v4, v12);
        v4 = t;
        t = low3.selectFrom(v5, v13);
        v13 = high3.selectFrom(v5, v13);
        v5 = t;
        t = low3.selectFrom(v6, v14);
        v14 = high3.selectFrom(v6, v14);
        v6 = t;
        t = low3.selectFrom(v7, v15);
        v15 = high3.selectFrom(v7, v15);
        v7 = t;
        v0.intoArray(bp, dst + 0 * NR);
        v1.intoArray(bp, dst + 1 * NR);
        v2.intoArray(bp, dst + 2 * NR);
        v3.intoArray(bp, dst + 3 * NR);
        v4.intoArray(bp, dst + 4 * NR);
        v5.intoArray(bp, dst + 5 * NR);
        v6.intoArray(bp, dst + 6 * NR);
        v7.intoArray(bp, dst + 7 * NR);
        v8.intoArray(bp, dst + 8 * NR);
        v9.intoArray(bp, dst + 9 * NR);
        v10.intoArray(bp, dst + 10 * NR);
        v11.intoArray(bp, dst + 11 * NR);
        v12.intoArray(bp, dst + 12 * NR);
        v13.intoArray(bp, dst + 13 * NR);
        v14.intoArray(bp, dst + 14 * NR);
        v15.intoArray(bp, dst + 15 * NR);
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
