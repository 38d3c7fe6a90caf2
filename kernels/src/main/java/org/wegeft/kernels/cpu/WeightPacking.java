package org.wegeft.kernels.cpu;

import static org.wegeft.kernels.cpu.GemmKernels.L;
import static org.wegeft.kernels.cpu.GemmKernels.NR;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import org.wegeft.kernels.GemmSpec;

/**
 * {@link GemmPacking#packB} for a weight read through a {@link WeightRead} (half precision widened in registers,
 * dropout generated in registers): the same k-major micro-panels, so the micro-kernels do not change. A transposed
 * weight (a linear layer's forward, x·Wᵀ) is widened 16 rows at a time into a small native block and transposed there
 * by {@link GemmPacking#transpose16}; a plain one (the input gradient, dy·W) is widened straight into the panel.
 */
final class WeightPacking {
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private WeightPacking() {
    }

    /**
     * Packs op(B)[pc .. pc+kc, j0 .. j0+cols] into the k-major micro-panel bp[dst + p·NR + j]; {@code block} is 16×16
     * floats of the calling thread's native scratch ({@link GemmWorkspace#wide}).
     */
    static void packB(GemmSpec spec, WeightRead w, MemorySegment b, long offB, int pc, int kc, int j0, int cols,
                      float[] bp, int dst, MemorySegment block) {
        if (w.quantized()) {
            packQuantized(spec, w, offB, pc, kc, j0, cols, bp, dst);
            return;
        }
        int p0 = 0;
        if (cols == NR && (!spec.transB() || L == 16)) {
            // whole vectors; one loop per case, so that none merges vectors from two paths (see WeightRead#plain)
            p0 = spec.transB() ? kc / 16 * 16 : kc;
            if (spec.transB() && w.drops()) {
                transposedDropped(spec, w, b, offB, pc, p0, j0, bp, dst, block);
            } else if (spec.transB()) {
                transposedPlain(spec, w, b, offB, pc, p0, j0, bp, dst, block);
            } else if (w.drops()) {
                rowsDropped(spec, w, b, offB, pc, kc, j0, bp, dst);
            } else {
                rowsPlain(spec, w, b, offB, pc, kc, j0, bp, dst);
            }
        }
        // what is left (a partial panel, the last kc % 16 steps of a transposed one) element by element
        long ldb = spec.ldb();
        for (int j = 0; j < cols; j++) {
            for (int p = (cols == NR ? p0 : 0); p < kc; p++) {
                long e = spec.transB() ? offB + (j0 + j) * ldb + pc + p : offB + (pc + p) * ldb + j0 + j;
                bp[dst + p * NR + j] = w.get(b, e);
            }
        }
    }

    /**
     * {@link #packB} for a quantized weight: each run of consecutive elements of W that the panel holds (a row's k
     * steps when transposed, a k step's columns otherwise) is dequantized straight into the panel.
     */
    private static void packQuantized(GemmSpec spec, WeightRead w, long offB, int pc, int kc, int j0, int cols,
                                      float[] bp, int dst) {
        long ldb = spec.ldb();
        float[] lut = new float[16];   // one per panel: a block's scaled NF4 codes
        if (spec.transB()) {
            for (int j = 0; j < cols; j++) {
                w.decode(offB + (j0 + j) * ldb + pc, kc, bp, dst + j, NR, lut);
            }
        } else {
            for (int p = 0; p < kc; p++) {
                w.decode(offB + (pc + p) * ldb + j0, cols, bp, dst + p * NR, 1, lut);
            }
        }
    }

    /**
     * The dropped twin of a panel {@link #packB} packed plainly: {@code bd[to …] = drop(bp[from …])}, each element
     * masked by its index in B, so a product whose lower rows read drop(B) reads the weight once.
     */
    static void dropPanel(GemmSpec spec, WeightRead w, long offB, int pc, int kc, int j0, int cols, float[] bp,
                          int from, float[] bd, int to) {
        long ldb = spec.ldb();
        // element (p, j) of op(B) is b[offB + (j0 + j)·ldb + pc + p] when transposed, b[offB + (pc + p)·ldb + j0 + j]
        long step = spec.transB() ? 1 : ldb;
        int stride = spec.transB() ? (int) ldb : 1;
        long first = spec.transB() ? offB + j0 * ldb + pc : offB + pc * ldb + j0;
        if (cols == NR) {
            w.dropPanel(bp, from, bd, to, kc, first, step, stride);
            return;
        }
        for (int p = 0; p < kc; p++) {
            for (int j = 0; j < cols; j++) {
                int at = p * NR + j;
                bd[to + at] = w.dropScalar(bp[from + at], first + p * step + (long) j * stride);
            }
        }
    }

    /**
     * Rows i0 … i0+rows of a row-major weight A, k pc … pc+kc, widened (and dropped when {@code w} drops) into a
     * row-major micro-panel {@code ap[dst + r·stride + p]}: a product {@link CpuGemm#weightAsA} swapped.
     */
    static void packRowsA(GemmSpec spec, WeightRead w, MemorySegment a, long offA, int i0, int rows, int pc, int kc,
                          float[] ap, int dst, int stride) {
        long lda = spec.lda();
        int kv = kc / L * L;
        for (int r = 0; r < rows; r++) {
            long src = offA + (i0 + r) * lda + pc;
            int to = dst + r * stride;
            if (w.drops()) {
                rowDropped(w, a, src, ap, to, kv);
            } else {
                rowPlain(w, a, src, ap, to, kv);
            }
            for (int p = kv; p < kc; p++) {
                ap[to + p] = w.get(a, src + p);
            }
        }
    }

    private static void rowPlain(WeightRead w, MemorySegment a, long src, float[] ap, int to, int kv) {
        for (int p = 0; p < kv; p += L) {
            w.plain(a, src + p).intoArray(ap, to + p);
        }
    }

    private static void rowDropped(WeightRead w, MemorySegment a, long src, float[] ap, int to, int kv) {
        for (int p = 0; p < kv; p += L) {
            w.dropped(a, src + p).intoArray(ap, to + p);
        }
    }

    /** B(p, j) = b[offB + p·ldb + j]: NR contiguous columns per k step. */
    private static void rowsPlain(GemmSpec spec, WeightRead w, MemorySegment b, long offB, int pc, int kc, int j0,
                                  float[] bp, int dst) {
        long ldb = spec.ldb();
        for (int p = 0; p < kc; p++) {
            long src = offB + (pc + p) * ldb + j0;
            w.plain(b, src).intoArray(bp, dst + p * NR);
            w.plain(b, src + L).intoArray(bp, dst + p * NR + L);
        }
    }

    /** {@link #rowsPlain} with dropout. */
    private static void rowsDropped(GemmSpec spec, WeightRead w, MemorySegment b, long offB, int pc, int kc, int j0,
                                    float[] bp, int dst) {
        long ldb = spec.ldb();
        for (int p = 0; p < kc; p++) {
            long src = offB + (pc + p) * ldb + j0;
            w.dropped(b, src).intoArray(bp, dst + p * NR);
            w.dropped(b, src + L).intoArray(bp, dst + p * NR + L);
        }
    }

    /**
     * B(p, j) = b[offB + j·ldb + p], p &lt; p0 (a multiple of 16): 16×16 blocks, each widened row by row into the native
     * block, then transposed into the panel.
     */
    private static void transposedPlain(GemmSpec spec, WeightRead w, MemorySegment b, long offB, int pc, int p0,
                                        int j0, float[] bp, int dst, MemorySegment block) {
        long ldb = spec.ldb();
        for (int h = 0; h < NR; h += 16) {
            long col = offB + (long) (j0 + h) * ldb + pc;
            for (int p = 0; p < p0; p += 16) {
                for (int r = 0; r < 16; r++) {
                    w.plain(b, col + r * ldb + p).intoMemorySegment(block, r * 16L * Float.BYTES, NATIVE);
                }
                GemmPacking.transpose16(block, 0, 16, bp, dst + p * NR + h);
            }
        }
    }

    /** {@link #transposedPlain} with dropout. */
    private static void transposedDropped(GemmSpec spec, WeightRead w, MemorySegment b, long offB, int pc, int p0,
                                          int j0, float[] bp, int dst, MemorySegment block) {
        long ldb = spec.ldb();
        for (int h = 0; h < NR; h += 16) {
            long col = offB + (long) (j0 + h) * ldb + pc;
            for (int p = 0; p < p0; p += 16) {
                for (int r = 0; r < 16; r++) {
                    w.dropped(b, col + r * ldb + p).intoMemorySegment(block, r * 16L * Float.BYTES, NATIVE);
                }
                GemmPacking.transpose16(block, 0, 16, bp, dst + p * NR + h);
            }
        }
    }
}
