package org.wegeft.kernels.scalar;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;

/** Reference embedding lookup / scatter-add and fused softmax cross-entropy. */
final class ScalarLosses {

    private ScalarLosses() {
    }

    static void embedding(MemorySegment ids, MemorySegment table, MemorySegment out, int n, int vocab, int dim) {
        // ids: (n) int32; table: (vocab, dim); out: (n, dim)
        checkIds("embedding", ids, n, vocab);
        for (int i = 0; i < n; i++) {
            long src = (long) ids.getAtIndex(JAVA_INT, i) * dim;
            for (int j = 0; j < dim; j++) {
                out.setAtIndex(JAVA_FLOAT, (long) i * dim + j, table.getAtIndex(JAVA_FLOAT, src + j));
            }
        }
    }

    static void embeddingBackward(MemorySegment ids, MemorySegment dout, MemorySegment dtable, int n, int vocab,
                                  int dim) {
        checkIds("embeddingBackward", ids, n, vocab);
        for (int i = 0; i < n; i++) {
            long dst = (long) ids.getAtIndex(JAVA_INT, i) * dim;
            for (int j = 0; j < dim; j++) {
                float g = dout.getAtIndex(JAVA_FLOAT, (long) i * dim + j);
                dtable.setAtIndex(JAVA_FLOAT, dst + j, dtable.getAtIndex(JAVA_FLOAT, dst + j) + g);
            }
        }
    }

    static int crossEntropy(MemorySegment logits, MemorySegment targets, MemorySegment losses,
                            MemorySegment dlogits, int rows, int classes, int ignoreIndex, float labelSmoothing) {
        // logits, dlogits: (rows, classes); targets, losses: (rows)
        for (int r = 0; r < rows; r++) { // validate first, so a bad target leaves the outputs untouched
            int t = targets.getAtIndex(JAVA_INT, r);
            if (t != ignoreIndex && (t < 0 || t >= classes)) {
                throw new IndexOutOfBoundsException("crossEntropy: target of row " + r + " is " + t
                        + ", outside [0, " + classes + ") and not the ignore index " + ignoreIndex);
            }
        }
        boolean withGrad = !ScalarNorms.isNull(dlogits);
        double eps = labelSmoothing;
        int counted = 0;
        for (int r = 0; r < rows; r++) {
            long row = (long) r * classes;
            int t = targets.getAtIndex(JAVA_INT, r);
            if (t == ignoreIndex) {
                losses.setAtIndex(JAVA_FLOAT, r, 0f);
                if (withGrad) {
                    for (int j = 0; j < classes; j++) {
                        dlogits.setAtIndex(JAVA_FLOAT, row + j, 0f);
                    }
                }
                continue;
            }
            counted++;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < classes; j++) {
                max = Math.max(max, logits.getAtIndex(JAVA_FLOAT, row + j));
            }
            double sum = 0;
            double sumLogits = 0;
            for (int j = 0; j < classes; j++) {
                double v = logits.getAtIndex(JAVA_FLOAT, row + j);
                sum += Math.exp(v - max);
                sumLogits += v;
            }
            double lse = max + Math.log(sum);
            // loss = −[(1−ε)·log p_t + ε/C · Σ_j log p_j]  (torch's label smoothing)
            double logPt = logits.getAtIndex(JAVA_FLOAT, row + t) - lse;
            double sumLogP = sumLogits - classes * lse;
            double loss = -((1.0 - eps) * logPt + eps / classes * sumLogP);
            losses.setAtIndex(JAVA_FLOAT, r, (float) loss);
            if (withGrad) {
                for (int j = 0; j < classes; j++) {
                    double p = Math.exp(logits.getAtIndex(JAVA_FLOAT, row + j) - lse);
                    double target = (j == t ? 1.0 - eps : 0.0) + eps / classes;
                    dlogits.setAtIndex(JAVA_FLOAT, row + j, (float) (p - target));
                }
            }
        }
        return counted;
    }

    private static void checkIds(String kernel, MemorySegment ids, int n, int vocab) {
        for (int i = 0; i < n; i++) {
            int id = ids.getAtIndex(JAVA_INT, i);
            if (id < 0 || id >= vocab) {
                throw new IndexOutOfBoundsException(kernel + ": ids[" + i + "] = " + id
                        + " is outside [0, " + vocab + ")");
            }
        }
    }
}
