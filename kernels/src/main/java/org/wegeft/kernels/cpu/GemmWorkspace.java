package org.wegeft.kernels.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Per-thread GEMM scratch, grown on demand and reused across calls: the packed A block of this thread, the
 * packed B block it shares with its helpers when it drives a GEMM, the micro-tile, a widened weight block, and the
 * B panel flags.
 */
final class GemmWorkspace {

    private static final ThreadLocal<GemmWorkspace> LOCAL = ThreadLocal.withInitial(GemmWorkspace::new);

    /** Packed B panel states: not packed, being packed by some thread, ready. */
    static final int FREE = 0;
    static final int PACKING = 1;
    static final int READY = 2;

    float[] a = new float[0];
    float[] b = new float[0];
    /** One dropped B micro-panel, for a product whose lower rows read drop(B). */
    float[] dropped = new float[0];
    /** A unit's Uᵀ panels, for a product whose A is edited as it is packed ({@link GemmEdit}). */
    float[] edit = new float[0];
    /** The edit's E panels, packed by the thread that drives the product ({@link GemmEdit}). */
    float[] editPanels = new float[0];
    /** 12 rows of the micro-tile, and 4 more that a transposed store's 16-lane gathers may read but never use. */
    final float[] tile = new float[16 * GemmKernels.NR];
    /** 16×16 floats of native memory: a block of a half-precision weight widened before it is transposed. */
    final MemorySegment wide = Arena.ofAuto().allocate(16 * 16 * Float.BYTES, 64);
    AtomicIntegerArray flags = new AtomicIntegerArray(0);

    private GemmWorkspace() {
    }

    static GemmWorkspace get() {
        return LOCAL.get();
    }

    float[] a(int size) {
        if (a.length < size) {
            a = new float[size];
        }
        return a;
    }

    float[] b(long size) {
        b = atLeast(b, size);
        return b;
    }

    float[] dropped(long size) {
        dropped = atLeast(dropped, size);
        return dropped;
    }

    float[] edit(int size) {
        if (edit.length < size) {
            edit = new float[size];
        }
        return edit;
    }

    float[] editPanels(long size) {
        editPanels = atLeast(editPanels, size);
        return editPanels;
    }

    /** {@code cur}, or a new array of {@code size} floats when cur is shorter. */
    private static float[] atLeast(float[] cur, long size) {
        return cur.length < checkedB(size) ? new float[(int) size] : cur;
    }

    private static long checkedB(long size) {
        if (size > Integer.MAX_VALUE - 64) {
            throw new IllegalStateException("packed GEMM B block of " + size + " floats is too large");
        }
        return size;
    }

    /** Flags for {@code count} panels, all {@link #FREE}. Called by the driving thread before it forks. */
    AtomicIntegerArray flags(int count) {
        if (flags.length() < count) {
            flags = new AtomicIntegerArray(count);
        } else {
            for (int i = 0; i < count; i++) {
                flags.setPlain(i, FREE);
            }
        }
        return flags;
    }
}
