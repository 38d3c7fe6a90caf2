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

    /** Packs op(B)[pc .. pc+kc, j0 .. j0+cols] into the k-major micro-panel bp[dst + p·NR + j]. */
    static void packB(GemmSpec spec, WeightRead w, MemorySegment b, long offB, int pc, int kc, int j0, int cols,
                      float[] bp, int dst) {
        long ldb = spec.ldb();
        if (!spec.transB()) {
            // B(p, j) = b[offB + p·ldb + j]: NR contiguous columns per k step
            for (int p = 0; p < kc; p++) {
                long src = offB + (pc + p) * ldb + j0;
                int to = dst + p * NR;
                if (cols == NR) {
                    w.load(b, src).intoArray(bp, to);
                    w.load(b, src + L).intoArray(bp, to + L);
                } else {
                    for (int j = 0; j < cols; j++) {
                        bp[to + j] = w.get(b, src + j);
                    }
                }
            }
            return;
        }
        // B(p, j) = b[offB + j·ldb + p]: each column is a contiguous run of k
        int p0 = 0;
        if (L == 16 && cols == NR) {
            p0 = kc / 16 * 16;
            MemorySegment block = GemmWorkspace.get().wide;
            for (int h = 0; h < NR; h += 16) {
                long col = offB + (long) (j0 + h) * ldb + pc;
                for (int p = 0; p < p0; p += 16) {
                    for (int r = 0; r < 16; r++) {
                        w.load(b, col + r * ldb + p).intoMemorySegment(block, r * 16L * Float.BYTES, NATIVE);
                    }
                    GemmPacking.transpose16(block, 0, 16, bp, dst + p * NR + h);
                }
            }
        }
        for (int j = 0; j < cols; j++) {
            long src = offB + (j0 + j) * ldb + pc;
            for (int p = p0; p < kc; p++) {
                bp[dst + p * NR + j] = w.get(b, src + p);
            }
        }
    }
}
