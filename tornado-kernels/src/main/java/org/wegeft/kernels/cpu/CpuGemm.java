package org.wegeft.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import org.wegeft.kernels.GemmSpec;

/**
 * Float32 GEMM for the CPU backend (Vector API). Implements {@code KernelBackend.gemm}'s contract.
 */
public final class CpuGemm {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private CpuGemm() {
    }

    /** {@code C_b = alpha·op(A_b)·op(B_b) + beta·C_b} for every b in the batch; see KernelBackend.gemm. */
    public static void gemm(GemmSpec spec, MemorySegment a, MemorySegment b, MemorySegment c) {
        int m = spec.m();
        int n = spec.n();
        int k = spec.k();
        if (m == 0 || n == 0) {
            return;
        }
        float[] bp = new float[k * n];
        float[] ap = new float[k];
        float[] acc = new float[n];
        for (int bi = 0; bi < spec.batch(); bi++) {
            long offA = bi * spec.strideA();
            long offB = bi * spec.strideB();
            long offC = bi * spec.strideC();
            // bp: op(B) as (K, N)
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < n; j++) {
                    long idx = spec.transB() ? offB + (long) j * spec.ldb() + p : offB + (long) p * spec.ldb() + j;
                    bp[p * n + j] = b.getAtIndex(F, idx);
                }
            }
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < k; p++) {
                    long idx = spec.transA() ? offA + (long) p * spec.lda() + i : offA + (long) i * spec.lda() + p;
                    ap[p] = a.getAtIndex(F, idx);
                }
                java.util.Arrays.fill(acc, 0f);
                for (int p = 0; p < k; p++) {
                    FloatVector av = FloatVector.broadcast(S, ap[p]);
                    int j = 0;
                    int bound = S.loopBound(n);
                    for (; j < bound; j += S.length()) {
                        FloatVector.fromArray(S, bp, p * n + j).fma(av, FloatVector.fromArray(S, acc, j))
                                .intoArray(acc, j);
                    }
                    for (; j < n; j++) {
                        acc[j] = Math.fma(ap[p], bp[p * n + j], acc[j]);
                    }
                }
                long row = offC + (long) i * spec.ldc();
                for (int j = 0; j < n; j++) {
                    float v = spec.alpha() * acc[j];
                    if (spec.beta() != 0f) {
                        v += spec.beta() * c.getAtIndex(F, row + j);
                    }
                    c.setAtIndex(F, row + j, v);
                }
            }
        }
    }
}
