package org.wegeft.distributed;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** The two element loops of the all-reduce, on native-order float segments: SIMD body, scalar tail. */
final class FloatOps {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(NATIVE);

    private FloatOps() {
    }

    /** dst[dstAt + i] += src[srcAt + i] for i < n (indices in floats). */
    static void addInto(MemorySegment dst, long dstAt, MemorySegment src, long srcAt, long n) {
        long i = 0;
        for (long end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector a = FloatVector.fromMemorySegment(S, dst, 4 * (dstAt + i), NATIVE);
            FloatVector b = FloatVector.fromMemorySegment(S, src, 4 * (srcAt + i), NATIVE);
            a.add(b).intoMemorySegment(dst, 4 * (dstAt + i), NATIVE);
        }
        for (; i < n; i++) {
            dst.setAtIndex(F, dstAt + i, dst.getAtIndex(F, dstAt + i) + src.getAtIndex(F, srcAt + i));
        }
    }

    /** x[at + i] /= d for i < n. */
    static void divide(MemorySegment x, long at, long n, float d) {
        long i = 0;
        for (long end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector.fromMemorySegment(S, x, 4 * (at + i), NATIVE).div(d).intoMemorySegment(x, 4 * (at + i), NATIVE);
        }
        for (; i < n; i++) {
            x.setAtIndex(F, at + i, x.getAtIndex(F, at + i) / d);
        }
    }
}
