package org.wegeft.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.jspecify.annotations.Nullable;

/**
 * The SPI's reference {@link KernelBackend#gemmQuantized}: the weight W (rows, cols) is dequantized a slab of whole
 * rows at a time (at most {@link #SLAB} elements, never the whole weight), dropped as {@link WeightDropout} says for
 * its element indices, and multiplied in float32.
 * <pre>
 *   forward  x·Wᵀ (transB):  C[:, r0:r1]  = A · W[r0:r1, :]ᵀ                  one product per slab, its columns of C
 *   backward dy·W (plain):   C           += A[:, r0:r1] · W[r0:r1, :]         a sum over slabs (beta on the first)
 * </pre>
 */
final class QuantizedGemm {
    /** Elements of W dequantized at a time. */
    static final int SLAB = 1 << 16;

    private QuantizedGemm() {
    }

    static void reference(KernelBackend be, GemmSpec spec, MemorySegment a, QuantizedWeight w,
                          @Nullable WeightDropout dropout, MemorySegment bias, MemorySegment c) {
        boolean hasBias = !bias.equals(MemorySegment.NULL);
        w.checkOperand(spec, hasBias);
        if (dropout != null && dropout.firstRow() > 0) {
            if (spec.batch() != 1) {
                throw new IllegalArgumentException("gemmQuantized: a dropout from row " + dropout.firstRow()
                        + " needs batch 1, got " + spec);
            }
            int split = Math.min(dropout.firstRow(), spec.m());
            reference(be, spec.rows(0, split), a, w, null, bias, c);
            if (split < spec.m()) {
                long aRow = spec.transA() ? split : (long) split * spec.lda();
                reference(be, spec.rows(split, spec.m()), a.asSlice(aRow * Float.BYTES), w, dropout.fromRow(0), bias,
                        c.asSlice((long) split * spec.ldc() * Float.BYTES));
            }
            return;
        }
        if (spec.m() == 0 || spec.n() == 0) {
            return;
        }
        int cols = w.cols();
        int slabRows = Math.max(1, SLAB / Math.max(1, cols));
        long slabBytes = (long) Math.min(slabRows, Math.max(1, w.rows())) * cols * Float.BYTES;
        MemorySegment host = HostMemory.allocate(Math.max(Float.BYTES, slabBytes));
        MemorySegment slab = be.hostAccessible() ? host : be.allocate(Math.max(Float.BYTES, slabBytes));
        try {
            if (w.rows() == 0) {   // k = 0: C = beta·C (+ bias)
                run(be, spec, a, slab, hasBias ? bias : MemorySegment.NULL, c);
                return;
            }
            for (int r0 = 0; r0 < w.rows(); r0 += slabRows) {
                int r1 = Math.min(w.rows(), r0 + slabRows);
                load(be, w, dropout, r0, r1, host, slab);
                int len = r1 - r0;
                if (spec.transB()) {
                    GemmSpec part = new GemmSpec(spec.transA(), true, spec.m(), len, spec.k(), spec.alpha(),
                            spec.beta(), spec.lda(), cols, spec.ldc(), spec.batch(), spec.strideA(), 0,
                            spec.strideC());
                    run(be, part, a, slab, hasBias ? bias.asSlice((long) r0 * Float.BYTES) : MemorySegment.NULL,
                            c.asSlice((long) r0 * Float.BYTES));
                } else {
                    GemmSpec part = new GemmSpec(spec.transA(), false, spec.m(), spec.n(), len, spec.alpha(),
                            r0 == 0 ? spec.beta() : 1f, spec.lda(), cols, spec.ldc(), spec.batch(), spec.strideA(),
                            0, spec.strideC());
                    long aAt = spec.transA() ? (long) r0 * spec.lda() : r0;
                    run(be, part, a.asSlice(aAt * Float.BYTES), slab, r0 == 0 && hasBias ? bias : MemorySegment.NULL,
                            c);
                }
            }
        } finally {
            if (slab != host) {
                be.free(slab);
            }
            HostMemory.free(host);
        }
    }

    private static void run(KernelBackend be, GemmSpec spec, MemorySegment a, MemorySegment b, MemorySegment bias,
                            MemorySegment c) {
        if (bias.equals(MemorySegment.NULL)) {
            be.gemm(spec, a, b, c);
        } else {
            be.gemmBias(spec, a, b, bias, c);
        }
    }

    /** Rows [r0, r1) of W dequantized (and dropped) into host, then into the backend's slab. */
    private static void load(KernelBackend be, QuantizedWeight w, @Nullable WeightDropout dropout, int r0, int r1,
                             MemorySegment host, MemorySegment slab) {
        long from = (long) r0 * w.cols();
        long n = (long) (r1 - r0) * w.cols();
        for (long i = 0; i < n; i++) {
            float v = w.get(from + i);
            host.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, dropout == null ? v : dropout.apply(from + i, v));
        }
        if (slab != host) {
            be.copyToDevice(host, slab, n * Float.BYTES);
        }
    }
}
