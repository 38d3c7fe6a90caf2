package org.wegeft.kernels.cpu;

import static org.wegeft.kernels.cpu.CpuVec.F;
import static org.wegeft.kernels.cpu.CpuVec.L;
import static org.wegeft.kernels.cpu.CpuVec.get;
import static org.wegeft.kernels.cpu.CpuVec.ld;
import static org.wegeft.kernels.cpu.CpuVec.set;
import static org.wegeft.kernels.cpu.CpuVec.st;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import org.wegeft.kernels.Parallel;

/** Rotary position embedding in the Hugging Face half-split layout, parallel over (n·t) rows. */
final class CpuRope {
    private CpuRope() {
    }

    // x, y: (n, t, d); cos, sin: (t, d/2)
    static void rope(MemorySegment x, MemorySegment y, MemorySegment cos, MemorySegment sin, int n, int t, int d,
                     boolean inverse) {
        if (d % 2 != 0) {
            throw new IllegalArgumentException("rope: head dimension d=" + d + " must be even");
        }
        int h = d / 2;
        float sgn = inverse ? -1f : 1f;
        long rows = (long) n * t;
        Parallel.forRange(Math.toIntExact(rows), Math.max(1, (1 << 14) / Math.max(1, d)), (r0, r1) -> {
            for (long r = r0; r < r1; r++) {
                long xo = r * d;
                long co = (r % t) * h;
                long vb = F.loopBound(h);
                long j = 0;
                for (; j < vb; j += L) {
                    FloatVector x1 = ld(x, xo + j);
                    FloatVector x2 = ld(x, xo + h + j);
                    FloatVector c = ld(cos, co + j);
                    FloatVector s = ld(sin, co + j).mul(sgn);
                    st(y, xo + j, x1.mul(c).sub(x2.mul(s)));
                    st(y, xo + h + j, x2.mul(c).add(x1.mul(s)));
                }
                for (; j < h; j++) {
                    float x1 = get(x, xo + j);
                    float x2 = get(x, xo + h + j);
                    float c = get(cos, co + j);
                    float s = get(sin, co + j) * sgn;
                    set(y, xo + j, x1 * c - x2 * s);
                    set(y, xo + h + j, x2 * c + x1 * s);
                }
            }
        });
    }
}
