package org.wegeft.kernels;

import java.lang.foreign.MemorySegment;

/**
 * Copies between token-major attention operands (of T tokens a sequence: head h of sequence b, token i at
 * {@code (b·T + i)·ld + h·d}) and the head-major contiguous layout (batch·heads × T × d) of
 * {@link KernelBackend#attention}, through the backend's
 * own copy kernels, so the defaults of {@link KernelBackend#attentionTokenMajor} work on any backend.
 */
final class TokenMajor {
    private TokenMajor() {
    }

    /** A buffer of the backend of at least one float, added to {@code owned} (which the caller frees). */
    static MemorySegment allocate(KernelBackend be, java.util.List<MemorySegment> owned, long bytes) {
        MemorySegment s = be.allocate(Math.max(bytes, Float.BYTES));
        owned.add(s);
        return s;
    }

    /** A new buffer (added to {@code owned}) holding src's heads head-major: (batch, heads, t, d) contiguous. */
    static MemorySegment gathered(KernelBackend be, java.util.List<MemorySegment> owned, MemorySegment src, int ld,
                                  int batch, int heads, int t, int d) {
        MemorySegment dst = allocate(be, owned, (long) batch * heads * t * d * Float.BYTES);
        gather(be, src, ld, dst, batch, heads, t, d);
        return dst;
    }

    /** dst (batch, heads, t, d) contiguous ← src token-major with row stride ld. */
    private static void gather(KernelBackend be, MemorySegment src, int ld, MemorySegment dst, int batch, int heads, int t,
                       int d) {
        if ((long) batch * heads * t * d == 0) {
            return;
        }
        be.copyStrided(new int[] {batch, heads, t, d}, src, new long[] {(long) t * ld, d, ld, 1}, dst);
    }

    /**
     * When dq, dk and dv are the three column blocks of one (batch, t, 3·heads·d) gradient (ld 3·heads·d each, side
     * by side in memory), fills it from {@code grads} = head-major dq, dk, dv one after another (3, batch, heads, t,
     * d) with one strided copy and returns true; false for any other layout.
     */
    static boolean scatterPacked(KernelBackend be, MemorySegment grads, MemorySegment dq, MemorySegment dk,
                                 MemorySegment dv, int ldq, int ldk, int ldv, int batch, int heads, int tq, int tk,
                                 int d) {
        long hd = (long) heads * d;
        if (tq != tk || ldq != 3 * hd || ldk != ldq || ldv != ldq
                || dk.address() != dq.address() + hd * Float.BYTES || dv.address() != dq.address() + 2 * hd * Float.BYTES) {
            return false;
        }
        if ((long) batch * tq * hd == 0) {
            return true;
        }
        long part = (long) batch * heads * tq * d;   // one of dq, dk, dv
        be.copyStrided(new int[] {batch, tq, 3, heads, d}, grads,
                new long[] {(long) heads * tq * d, d, part, (long) tq * d, 1}, dq);
        return true;
    }

    /** dst token-major with row stride ld ← src (batch, heads, t, d) contiguous. */
    static void scatter(KernelBackend be, MemorySegment src, MemorySegment dst, int ld, int batch, int heads, int t,
                        int d) {
        long rowFloats = (long) heads * d;
        long rows = (long) batch * t;
        if (rows * rowFloats == 0) {
            return;
        }
        long[] strides = {(long) heads * t * d, d, (long) t * d, 1};
        int[] shape = {batch, t, heads, d};
        if (ld == rowFloats) {
            be.copyStrided(shape, src, strides, dst);
            return;
        }
        MemorySegment tmp = be.allocate(rows * rowFloats * Float.BYTES);
        try {
            be.copyStrided(shape, src, strides, tmp);
            long rowBytes = rowFloats * Float.BYTES;
            for (long r = 0; r < rows; r++) {
                be.copy(tmp.asSlice(r * rowBytes, rowBytes), dst.asSlice(r * ld * Float.BYTES, rowBytes), rowBytes);
            }
        } finally {
            be.free(tmp);
        }
    }
}
