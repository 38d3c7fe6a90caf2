package org.wegeft.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.wegeft.kernels.opencl.OpenClBackend;

/**
 * The block-reduction kernels (one work-group per row, {@code __local} scratch, helpers with barriers) launched
 * again and again on many rows: every launch must give the same bits as the first and match the scalar reference.
 * A work-group that shares local memory with another one running at the same time (on PoCL, one per worker thread)
 * shows up here as results that change from launch to launch. Skipped, with the reason printed, without OpenCL.
 */
class OpenClConcurrentWorkGroupsTest {
    private static final int ROWS = 512;
    private static final int COLS = 1000;
    private static final int LAUNCHES = 40;
    private static KernelBackend ocl;

    @BeforeAll
    static void needsOpenCl() {
        OpenClBackend backend = new OpenClBackend();
        if (!backend.availability().available()) {
            String reason = "opencl: concurrent work-group tests skipped: " + backend.availability().reason();
            System.out.println(reason);
            Assumptions.abort(reason);
        }
        System.out.println("opencl: concurrent work-group tests on device " + backend.device() + ", "
                + Runtime.getRuntime().availableProcessors() + " processors, POCL_MAX_PTHREAD_COUNT="
                + System.getenv("POCL_MAX_PTHREAD_COUNT"));
        ocl = new HostStagingBackend(backend);
    }

    private static float[] uniform(long seed, int n) {
        Random r = new Random(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = r.nextFloat() * 10f - 5f;
        }
        return out;
    }

    private static MemorySegment floats(Arena arena, float[] v) {
        return arena.allocateFrom(ValueLayout.JAVA_FLOAT, v);
    }

    private static float[] read(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_FLOAT);
    }

    /** Runs {@code kernel} LAUNCHES times on the device and once on the scalar backend; compares all of them. */
    private static void repeatable(String what, BiFunction<KernelBackend, Arena, float[]> kernel) {
        KernelBackend scalar = Backends.byName("scalar");
        float[] expected;
        try (Arena a = Arena.ofConfined()) {
            expected = kernel.apply(scalar, a);
        }
        List<Integer> changed = new ArrayList<>();
        float[] first = null;
        for (int i = 0; i < LAUNCHES; i++) {
            try (Arena a = Arena.ofConfined()) {
                float[] got = kernel.apply(ocl, a);
                if (first == null) {
                    first = got;
                } else if (!java.util.Arrays.equals(first, got)) {
                    changed.add(i);
                }
            }
        }
        assertTrue(changed.isEmpty(), what + ": launches " + changed + " of " + LAUNCHES
                + " differ from the first on the same inputs");
        for (int i = 0; i < expected.length; i++) {
            float tol = 1e-4f * Math.max(1f, Math.abs(expected[i]));
            if (!(Math.abs(expected[i] - first[i]) <= tol)) {
                throw new AssertionError(what + "[" + i + "]: scalar " + expected[i] + ", opencl " + first[i]);
            }
        }
    }

    @Test
    void crossEntropyWithAndWithoutGradient() {
        float[] logits = uniform(1, ROWS * COLS);
        int[] targets = new int[ROWS];
        for (int i = 0; i < ROWS; i++) {
            targets[i] = i % 7 == 3 ? -100 : (i * 37) % COLS;
        }
        for (boolean grad : new boolean[] {false, true}) {
            repeatable("crossEntropy" + (grad ? " with dlogits" : ""), (be, a) -> {
                MemorySegment losses = a.allocate(4L * ROWS);
                MemorySegment dl = grad ? a.allocate(4L * ROWS * COLS) : MemorySegment.NULL;
                int count = be.crossEntropy(floats(a, logits), a.allocateFrom(ValueLayout.JAVA_INT, targets), losses,
                        dl, ROWS, COLS, -100, 0.1f);
                float[] out = read(losses);
                if (grad) {
                    float[] d = read(dl);
                    float[] both = java.util.Arrays.copyOf(out, out.length + d.length + 1);
                    System.arraycopy(d, 0, both, out.length, d.length);
                    both[both.length - 1] = count;
                    return both;
                }
                return out;
            });
        }
    }

    @Test
    void softmaxAndNorms() {
        float[] x = uniform(2, ROWS * COLS);
        float[] w = uniform(3, COLS);
        repeatable("softmax", (be, a) -> {
            MemorySegment y = a.allocate(4L * ROWS * COLS);
            be.softmax(floats(a, x), y, ROWS, COLS, false, 1);
            return read(y);
        });
        repeatable("layerNorm", (be, a) -> {
            MemorySegment y = a.allocate(4L * ROWS * COLS);
            MemorySegment mean = a.allocate(4L * ROWS);
            MemorySegment rstd = a.allocate(4L * ROWS);
            be.layerNorm(floats(a, x), floats(a, w), MemorySegment.NULL, y, mean, rstd, ROWS, COLS, 1e-5f);
            return read(y);
        });
        repeatable("rmsNorm", (be, a) -> {
            MemorySegment y = a.allocate(4L * ROWS * COLS);
            MemorySegment rstd = a.allocate(4L * ROWS);
            be.rmsNorm(floats(a, x), floats(a, w), y, rstd, ROWS, COLS, 1e-6f);
            return read(y);
        });
    }

    @Test
    void causalAttention() {
        int bh = 8;
        int t = 64;
        int d = 32;
        float[] q = uniform(4, bh * t * d);
        float[] k = uniform(5, bh * t * d);
        float[] v = uniform(6, bh * t * d);
        repeatable("attention", (be, a) -> {
            MemorySegment out = a.allocate(4L * bh * t * d);
            MemorySegment lse = a.allocate(4L * bh * t);
            be.attention(floats(a, q), floats(a, k), floats(a, v), out, lse, bh, t, t, d, 0.125f, true);
            return read(out);
        });
    }
}
