package org.wegeft.kernels.cpu;

import static org.wegeft.kernels.cpu.CpuVec.F;
import static org.wegeft.kernels.cpu.CpuVec.L;
import static org.wegeft.kernels.cpu.CpuVec.get;
import static org.wegeft.kernels.cpu.CpuVec.ld;
import static org.wegeft.kernels.cpu.CpuVec.set;
import static org.wegeft.kernels.cpu.CpuVec.st;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import org.wegeft.kernels.BinaryOp;

/**
 * Broadcasting binary ops and strided copies. The index space is first simplified ({@link CpuStrided});
 * rows of the last axis then run a vector loop when each operand is contiguous (stride 1) or broadcast
 * (stride 0) along it, and a scalar strided loop otherwise.
 */
final class CpuBinary {
    /** Elements of work per parallel task. */
    private static final long GRAIN = 1 << 14;

    private CpuBinary() {
    }

    static void binary(BinaryOp op, int[] shape, MemorySegment a, long[] aStrides, MemorySegment b,
                       long[] bStrides, MemorySegment out) {
        CpuStrided s = CpuStrided.of(shape, aStrides, bStrides);
        long inner = s.inner();
        long sa = s.innerStride(0);
        long sb = s.innerStride(1);
        s.forEachRowSpan(GRAIN, (r, from, len) -> row(op, a, s.rowOffset(0, r) + from * sa, sa, b,
                s.rowOffset(1, r) + from * sb, sb, out, r * inner + from, len));
    }

    /** out[o + j] = a[ao + j·sa] op b[bo + j·sb] for j in [0, len). */
    private static void row(BinaryOp op, MemorySegment a, long ao, long sa, MemorySegment b, long bo, long sb,
                            MemorySegment out, long o, long len) {
        boolean aVec = sa == 1 || sa == 0;
        boolean bVec = sb == 1 || sb == 0;
        if (!aVec || !bVec || len < L) {
            for (long j = 0; j < len; j++) {
                set(out, o + j, apply(op, get(a, ao + j * sa), get(b, bo + j * sb)));
            }
            return;
        }
        boolean aB = sa == 0;
        boolean bB = sb == 0;
        FloatVector ab = FloatVector.broadcast(F, get(a, ao));
        FloatVector bb = FloatVector.broadcast(F, get(b, bo));
        long vb = F.loopBound(len);
        long j = 0;
        switch (op) {
            case ADD -> { for (; j < vb; j += L) st(out, o + j, (aB ? ab : ld(a, ao + j)).add(bB ? bb : ld(b, bo + j))); }
            case SUB -> { for (; j < vb; j += L) st(out, o + j, (aB ? ab : ld(a, ao + j)).sub(bB ? bb : ld(b, bo + j))); }
            case MUL -> { for (; j < vb; j += L) st(out, o + j, (aB ? ab : ld(a, ao + j)).mul(bB ? bb : ld(b, bo + j))); }
            case DIV -> { for (; j < vb; j += L) st(out, o + j, (aB ? ab : ld(a, ao + j)).div(bB ? bb : ld(b, bo + j))); }
            case MAX -> { for (; j < vb; j += L) st(out, o + j, (aB ? ab : ld(a, ao + j)).max(bB ? bb : ld(b, bo + j))); }
            case MIN -> { for (; j < vb; j += L) st(out, o + j, (aB ? ab : ld(a, ao + j)).min(bB ? bb : ld(b, bo + j))); }
            case POW -> { }   // per lane below: StrictMath.pow is the same in every JIT tier
        }
        for (; j < len; j++) {
            set(out, o + j, apply(op, get(a, ao + j * sa), get(b, bo + j * sb)));
        }
    }

    static float apply(BinaryOp op, float x, float y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case MAX -> Math.max(x, y);
            case MIN -> Math.min(x, y);
            case POW -> (float) StrictMath.pow(x, y);
        };
    }

    // ------------------------------------------------------------------ strided copy

    static void copyStrided(int[] shape, MemorySegment src, long[] srcStrides, MemorySegment dst) {
        CpuStrided s = CpuStrided.of(shape, srcStrides);
        long inner = s.inner();
        long ss = s.innerStride(0);
        s.forEachRowSpan(GRAIN, (r, from, len) -> copyRow(src, s.rowOffset(0, r) + from * ss, ss, dst,
                r * inner + from, len));
    }

    private static void copyRow(MemorySegment src, long so, long ss, MemorySegment dst, long o, long len) {
        if (ss == 1) {
            MemorySegment.copy(src, so * 4, dst, o * 4, len * 4);
        } else if (ss == 0) {
            float v = get(src, so);
            long vb = F.loopBound(len);
            FloatVector bv = FloatVector.broadcast(F, v);
            long j = 0;
            for (; j < vb; j += L) {
                st(dst, o + j, bv);
            }
            for (; j < len; j++) {
                set(dst, o + j, v);
            }
        } else {
            for (long j = 0; j < len; j++) {
                set(dst, o + j, get(src, so + j * ss));
            }
        }
    }
}
