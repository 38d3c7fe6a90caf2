package org.wegeft.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-blocked GEMM micro-kernels: {@code out (MR×NR) = in + Apanel (MR×kc) · Bpanel (kc×NR)}, NR = two
 * vectors. The B micro-panel is k-major ({@code bp[bOff + p·NR + j]}); the A micro-panel is either row-major
 * ({@code ap[aOff + r·kc + p]}, "row" kernels: a plain copy of a row-major A) or k-major
 * ({@code ap[aOff + p·MR + r]}, "col" kernels: a plain copy of a transposed A), so packing A never transposes.
 * Each A element is broadcast and multiplied into two B vectors, with 2·MR independent accumulators (24 of the
 * 32 zmm registers for MR = 12). The accumulators start from a partial sum {@code in} of the same row-major
 * layout ({@code in[inOff + r·NR + j]}; {@code null} for zero) and are written row-major to {@code out}: the
 * caller keeps partial sums between k blocks and merges the last into C.
 *
 * <p>The bodies are unrolled by hand on purpose: C2 keeps every accumulator in a register only when each is its
 * own local variable, and the indices, linear in the loop counter, let it hoist all bounds checks out of the
 * k loop.
 */
final class GemmKernels {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Vector lanes. */
    static final int L = S.length();
    /** Columns of a micro-tile. */
    static final int NR = 2 * L;

    private GemmKernels() {
    }

    /** An accumulator's start: zero, or the partial sum a previous k block left at {@code in[off]}. */
    private static FloatVector init(float[] in, int off) {
        return in == null ? FloatVector.zero(S) : FloatVector.fromArray(S, in, off);
    }

    /** Runs the kernel of {@code rows} (12, 8 or 4) rows and the given A layout. */
    static void run(boolean rowLayout, int rows, float[] ap, int aOff, float[] bp, int bOff, int kc, float[] in, int inOff,
                    float[] out, int outOff) {
        if (rowLayout) {
            switch (rows) {
                case 12 -> row12(ap, aOff, bp, bOff, kc, in, inOff, out, outOff);
                case 8 -> row8(ap, aOff, bp, bOff, kc, in, inOff, out, outOff);
                default -> row4(ap, aOff, bp, bOff, kc, in, inOff, out, outOff);
            }
        } else {
            switch (rows) {
                case 12 -> col12(ap, aOff, bp, bOff, kc, in, inOff, out, outOff);
                case 8 -> col8(ap, aOff, bp, bOff, kc, in, inOff, out, outOff);
                default -> col4(ap, aOff, bp, bOff, kc, in, inOff, out, outOff);
            }
        }
    }

    /** 12 rows, A micro-panel row-major (stride kc). */
    static void row12(float[] ap, int aOff, float[] bp, int bOff, int kc, float[] in, int inOff, float[] out, int outOff) {
        FloatVector c00 = init(in, inOff + 0 * NR), c01 = init(in, inOff + 0 * NR + L);
        FloatVector c10 = init(in, inOff + 1 * NR), c11 = init(in, inOff + 1 * NR + L);
        FloatVector c20 = init(in, inOff + 2 * NR), c21 = init(in, inOff + 2 * NR + L);
        FloatVector c30 = init(in, inOff + 3 * NR), c31 = init(in, inOff + 3 * NR + L);
        FloatVector c40 = init(in, inOff + 4 * NR), c41 = init(in, inOff + 4 * NR + L);
        FloatVector c50 = init(in, inOff + 5 * NR), c51 = init(in, inOff + 5 * NR + L);
        FloatVector c60 = init(in, inOff + 6 * NR), c61 = init(in, inOff + 6 * NR + L);
        FloatVector c70 = init(in, inOff + 7 * NR), c71 = init(in, inOff + 7 * NR + L);
        FloatVector c80 = init(in, inOff + 8 * NR), c81 = init(in, inOff + 8 * NR + L);
        FloatVector c90 = init(in, inOff + 9 * NR), c91 = init(in, inOff + 9 * NR + L);
        FloatVector c100 = init(in, inOff + 10 * NR), c101 = init(in, inOff + 10 * NR + L);
        FloatVector c110 = init(in, inOff + 11 * NR), c111 = init(in, inOff + 11 * NR + L);
        for (int p = 0; p < kc; p++) {
            int bo = bOff + p * NR;
            int ao = aOff + p;
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector a0 = FloatVector.broadcast(S, ap[ao]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[ao + 1 * kc]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[ao + 2 * kc]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[ao + 3 * kc]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, ap[ao + 4 * kc]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, ap[ao + 5 * kc]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, ap[ao + 6 * kc]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, ap[ao + 7 * kc]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
            FloatVector a8 = FloatVector.broadcast(S, ap[ao + 8 * kc]);
            c80 = a8.fma(b0, c80);
            c81 = a8.fma(b1, c81);
            FloatVector a9 = FloatVector.broadcast(S, ap[ao + 9 * kc]);
            c90 = a9.fma(b0, c90);
            c91 = a9.fma(b1, c91);
            FloatVector a10 = FloatVector.broadcast(S, ap[ao + 10 * kc]);
            c100 = a10.fma(b0, c100);
            c101 = a10.fma(b1, c101);
            FloatVector a11 = FloatVector.broadcast(S, ap[ao + 11 * kc]);
            c110 = a11.fma(b0, c110);
            c111 = a11.fma(b1, c111);
        }
        c00.intoArray(out, outOff + 0 * NR);
        c01.intoArray(out, outOff + 0 * NR + L);
        c10.intoArray(out, outOff + 1 * NR);
        c11.intoArray(out, outOff + 1 * NR + L);
        c20.intoArray(out, outOff + 2 * NR);
        c21.intoArray(out, outOff + 2 * NR + L);
        c30.intoArray(out, outOff + 3 * NR);
        c31.intoArray(out, outOff + 3 * NR + L);
        c40.intoArray(out, outOff + 4 * NR);
        c41.intoArray(out, outOff + 4 * NR + L);
        c50.intoArray(out, outOff + 5 * NR);
        c51.intoArray(out, outOff + 5 * NR + L);
        c60.intoArray(out, outOff + 6 * NR);
        c61.intoArray(out, outOff + 6 * NR + L);
        c70.intoArray(out, outOff + 7 * NR);
        c71.intoArray(out, outOff + 7 * NR + L);
        c80.intoArray(out, outOff + 8 * NR);
        c81.intoArray(out, outOff + 8 * NR + L);
        c90.intoArray(out, outOff + 9 * NR);
        c91.intoArray(out, outOff + 9 * NR + L);
        c100.intoArray(out, outOff + 10 * NR);
        c101.intoArray(out, outOff + 10 * NR + L);
        c110.intoArray(out, outOff + 11 * NR);
        c111.intoArray(out, outOff + 11 * NR + L);
    }

    /** 8 rows, A micro-panel row-major (stride kc). */
    static void row8(float[] ap, int aOff, float[] bp, int bOff, int kc, float[] in, int inOff, float[] out, int outOff) {
        FloatVector c00 = init(in, inOff + 0 * NR), c01 = init(in, inOff + 0 * NR + L);
        FloatVector c10 = init(in, inOff + 1 * NR), c11 = init(in, inOff + 1 * NR + L);
        FloatVector c20 = init(in, inOff + 2 * NR), c21 = init(in, inOff + 2 * NR + L);
        FloatVector c30 = init(in, inOff + 3 * NR), c31 = init(in, inOff + 3 * NR + L);
        FloatVector c40 = init(in, inOff + 4 * NR), c41 = init(in, inOff + 4 * NR + L);
        FloatVector c50 = init(in, inOff + 5 * NR), c51 = init(in, inOff + 5 * NR + L);
        FloatVector c60 = init(in, inOff + 6 * NR), c61 = init(in, inOff + 6 * NR + L);
        FloatVector c70 = init(in, inOff + 7 * NR), c71 = init(in, inOff + 7 * NR + L);
        for (int p = 0; p < kc; p++) {
            int bo = bOff + p * NR;
            int ao = aOff + p;
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector a0 = FloatVector.broadcast(S, ap[ao]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[ao + 1 * kc]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[ao + 2 * kc]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[ao + 3 * kc]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, ap[ao + 4 * kc]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, ap[ao + 5 * kc]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, ap[ao + 6 * kc]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, ap[ao + 7 * kc]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        c00.intoArray(out, outOff + 0 * NR);
        c01.intoArray(out, outOff + 0 * NR + L);
        c10.intoArray(out, outOff + 1 * NR);
        c11.intoArray(out, outOff + 1 * NR + L);
        c20.intoArray(out, outOff + 2 * NR);
        c21.intoArray(out, outOff + 2 * NR + L);
        c30.intoArray(out, outOff + 3 * NR);
        c31.intoArray(out, outOff + 3 * NR + L);
        c40.intoArray(out, outOff + 4 * NR);
        c41.intoArray(out, outOff + 4 * NR + L);
        c50.intoArray(out, outOff + 5 * NR);
        c51.intoArray(out, outOff + 5 * NR + L);
        c60.intoArray(out, outOff + 6 * NR);
        c61.intoArray(out, outOff + 6 * NR + L);
        c70.intoArray(out, outOff + 7 * NR);
        c71.intoArray(out, outOff + 7 * NR + L);
    }

    /** 4 rows, A micro-panel row-major (stride kc). */
    static void row4(float[] ap, int aOff, float[] bp, int bOff, int kc, float[] in, int inOff, float[] out, int outOff) {
        FloatVector c00 = init(in, inOff + 0 * NR), c01 = init(in, inOff + 0 * NR + L);
        FloatVector c10 = init(in, inOff + 1 * NR), c11 = init(in, inOff + 1 * NR + L);
        FloatVector c20 = init(in, inOff + 2 * NR), c21 = init(in, inOff + 2 * NR + L);
        FloatVector c30 = init(in, inOff + 3 * NR), c31 = init(in, inOff + 3 * NR + L);
        for (int p = 0; p < kc; p++) {
            int bo = bOff + p * NR;
            int ao = aOff + p;
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector a0 = FloatVector.broadcast(S, ap[ao]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[ao + 1 * kc]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[ao + 2 * kc]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[ao + 3 * kc]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        c00.intoArray(out, outOff + 0 * NR);
        c01.intoArray(out, outOff + 0 * NR + L);
        c10.intoArray(out, outOff + 1 * NR);
        c11.intoArray(out, outOff + 1 * NR + L);
        c20.intoArray(out, outOff + 2 * NR);
        c21.intoArray(out, outOff + 2 * NR + L);
        c30.intoArray(out, outOff + 3 * NR);
        c31.intoArray(out, outOff + 3 * NR + L);
    }

    /** 12 rows, A micro-panel k-major (stride 12). */
    static void col12(float[] ap, int aOff, float[] bp, int bOff, int kc, float[] in, int inOff, float[] out, int outOff) {
        FloatVector c00 = init(in, inOff + 0 * NR), c01 = init(in, inOff + 0 * NR + L);
        FloatVector c10 = init(in, inOff + 1 * NR), c11 = init(in, inOff + 1 * NR + L);
        FloatVector c20 = init(in, inOff + 2 * NR), c21 = init(in, inOff + 2 * NR + L);
        FloatVector c30 = init(in, inOff + 3 * NR), c31 = init(in, inOff + 3 * NR + L);
        FloatVector c40 = init(in, inOff + 4 * NR), c41 = init(in, inOff + 4 * NR + L);
        FloatVector c50 = init(in, inOff + 5 * NR), c51 = init(in, inOff + 5 * NR + L);
        FloatVector c60 = init(in, inOff + 6 * NR), c61 = init(in, inOff + 6 * NR + L);
        FloatVector c70 = init(in, inOff + 7 * NR), c71 = init(in, inOff + 7 * NR + L);
        FloatVector c80 = init(in, inOff + 8 * NR), c81 = init(in, inOff + 8 * NR + L);
        FloatVector c90 = init(in, inOff + 9 * NR), c91 = init(in, inOff + 9 * NR + L);
        FloatVector c100 = init(in, inOff + 10 * NR), c101 = init(in, inOff + 10 * NR + L);
        FloatVector c110 = init(in, inOff + 11 * NR), c111 = init(in, inOff + 11 * NR + L);
        for (int p = 0; p < kc; p++) {
            int bo = bOff + p * NR;
            int ao = aOff + p * 12;
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector a0 = FloatVector.broadcast(S, ap[ao]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[ao + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[ao + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[ao + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, ap[ao + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, ap[ao + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, ap[ao + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, ap[ao + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
            FloatVector a8 = FloatVector.broadcast(S, ap[ao + 8]);
            c80 = a8.fma(b0, c80);
            c81 = a8.fma(b1, c81);
            FloatVector a9 = FloatVector.broadcast(S, ap[ao + 9]);
            c90 = a9.fma(b0, c90);
            c91 = a9.fma(b1, c91);
            FloatVector a10 = FloatVector.broadcast(S, ap[ao + 10]);
            c100 = a10.fma(b0, c100);
            c101 = a10.fma(b1, c101);
            FloatVector a11 = FloatVector.broadcast(S, ap[ao + 11]);
            c110 = a11.fma(b0, c110);
            c111 = a11.fma(b1, c111);
        }
        c00.intoArray(out, outOff + 0 * NR);
        c01.intoArray(out, outOff + 0 * NR + L);
        c10.intoArray(out, outOff + 1 * NR);
        c11.intoArray(out, outOff + 1 * NR + L);
        c20.intoArray(out, outOff + 2 * NR);
        c21.intoArray(out, outOff + 2 * NR + L);
        c30.intoArray(out, outOff + 3 * NR);
        c31.intoArray(out, outOff + 3 * NR + L);
        c40.intoArray(out, outOff + 4 * NR);
        c41.intoArray(out, outOff + 4 * NR + L);
        c50.intoArray(out, outOff + 5 * NR);
        c51.intoArray(out, outOff + 5 * NR + L);
        c60.intoArray(out, outOff + 6 * NR);
        c61.intoArray(out, outOff + 6 * NR + L);
        c70.intoArray(out, outOff + 7 * NR);
        c71.intoArray(out, outOff + 7 * NR + L);
        c80.intoArray(out, outOff + 8 * NR);
        c81.intoArray(out, outOff + 8 * NR + L);
        c90.intoArray(out, outOff + 9 * NR);
        c91.intoArray(out, outOff + 9 * NR + L);
        c100.intoArray(out, outOff + 10 * NR);
        c101.intoArray(out, outOff + 10 * NR + L);
        c110.intoArray(out, outOff + 11 * NR);
        c111.intoArray(out, outOff + 11 * NR + L);
    }

    /** 8 rows, A micro-panel k-major (stride 8). */
    static void col8(float[] ap, int aOff, float[] bp, int bOff, int kc, float[] in, int inOff, float[] out, int outOff) {
        FloatVector c00 = init(in, inOff + 0 * NR), c01 = init(in, inOff + 0 * NR + L);
        FloatVector c10 = init(in, inOff + 1 * NR), c11 = init(in, inOff + 1 * NR + L);
        FloatVector c20 = init(in, inOff + 2 * NR), c21 = init(in, inOff + 2 * NR + L);
        FloatVector c30 = init(in, inOff + 3 * NR), c31 = init(in, inOff + 3 * NR + L);
        FloatVector c40 = init(in, inOff + 4 * NR), c41 = init(in, inOff + 4 * NR + L);
        FloatVector c50 = init(in, inOff + 5 * NR), c51 = init(in, inOff + 5 * NR + L);
        FloatVector c60 = init(in, inOff + 6 * NR), c61 = init(in, inOff + 6 * NR + L);
        FloatVector c70 = init(in, inOff + 7 * NR), c71 = init(in, inOff + 7 * NR + L);
        for (int p = 0; p < kc; p++) {
            int bo = bOff + p * NR;
            int ao = aOff + p * 8;
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector a0 = FloatVector.broadcast(S, ap[ao]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[ao + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[ao + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[ao + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, ap[ao + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, ap[ao + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, ap[ao + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, ap[ao + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        c00.intoArray(out, outOff + 0 * NR);
        c01.intoArray(out, outOff + 0 * NR + L);
        c10.intoArray(out, outOff + 1 * NR);
        c11.intoArray(out, outOff + 1 * NR + L);
        c20.intoArray(out, outOff + 2 * NR);
        c21.intoArray(out, outOff + 2 * NR + L);
        c30.intoArray(out, outOff + 3 * NR);
        c31.intoArray(out, outOff + 3 * NR + L);
        c40.intoArray(out, outOff + 4 * NR);
        c41.intoArray(out, outOff + 4 * NR + L);
        c50.intoArray(out, outOff + 5 * NR);
        c51.intoArray(out, outOff + 5 * NR + L);
        c60.intoArray(out, outOff + 6 * NR);
        c61.intoArray(out, outOff + 6 * NR + L);
        c70.intoArray(out, outOff + 7 * NR);
        c71.intoArray(out, outOff + 7 * NR + L);
    }

    /** 4 rows, A micro-panel k-major (stride 4). */
    static void col4(float[] ap, int aOff, float[] bp, int bOff, int kc, float[] in, int inOff, float[] out, int outOff) {
        FloatVector c00 = init(in, inOff + 0 * NR), c01 = init(in, inOff + 0 * NR + L);
        FloatVector c10 = init(in, inOff + 1 * NR), c11 = init(in, inOff + 1 * NR + L);
        FloatVector c20 = init(in, inOff + 2 * NR), c21 = init(in, inOff + 2 * NR + L);
        FloatVector c30 = init(in, inOff + 3 * NR), c31 = init(in, inOff + 3 * NR + L);
        for (int p = 0; p < kc; p++) {
            int bo = bOff + p * NR;
            int ao = aOff + p * 4;
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector a0 = FloatVector.broadcast(S, ap[ao]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[ao + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[ao + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[ao + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        c00.intoArray(out, outOff + 0 * NR);
        c01.intoArray(out, outOff + 0 * NR + L);
        c10.intoArray(out, outOff + 1 * NR);
        c11.intoArray(out, outOff + 1 * NR + L);
        c20.intoArray(out, outOff + 2 * NR);
        c21.intoArray(out, outOff + 2 * NR + L);
        c30.intoArray(out, outOff + 3 * NR);
        c31.intoArray(out, outOff + 3 * NR + L);
    }
}
