package org.wegeft.kernels.scalar;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import org.wegeft.kernels.GemmSpec;

/** Reference GEMM: the textbook triple loop, dot products accumulated in double. */
final class ScalarGemm {

    private ScalarGemm() {
    }

    static void gemm(GemmSpec s, MemorySegment a, MemorySegment b, MemorySegment c) {
        for (int batch = 0; batch < s.batch(); batch++) {
            long offA = batch * s.strideA();
            long offB = batch * s.strideB();
            long offC = batch * s.strideC();
            for (int i = 0; i < s.m(); i++) {
                for (int j = 0; j < s.n(); j++) {
                    double dot = 0;
                    for (int p = 0; p < s.k(); p++) {
                        // op(A)[i, p] and op(B)[p, j]
                        long ia = offA + (s.transA() ? (long) p * s.lda() + i : (long) i * s.lda() + p);
                        long ib = offB + (s.transB() ? (long) j * s.ldb() + p : (long) p * s.ldb() + j);
                        dot += (double) a.getAtIndex(JAVA_FLOAT, ia) * b.getAtIndex(JAVA_FLOAT, ib);
                    }
                    long ic = offC + (long) i * s.ldc() + j;
                    double result = (double) s.alpha() * dot;
                    if (s.beta() != 0f) { // beta == 0: C is not read, so NaNs in C vanish
                        result += (double) s.beta() * c.getAtIndex(JAVA_FLOAT, ic);
                    }
                    c.setAtIndex(JAVA_FLOAT, ic, (float) result);
                }
            }
        }
    }
}
