package org.wegeft.peft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.wegeft.tensor.Tensor;

/** Test helper: max relative error, measured against the largest magnitude of the expected values. */
public final class Approx {
    private Approx() {
    }

    public static double maxRelError(float[] expected, float[] actual) {
        double scale = 1e-12;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]) / scale);
        }
        return worst;
    }

    public static void assertClose(Tensor expected, Tensor actual, double tol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double err = maxRelError(expected.toFloatArray(), actual.toFloatArray());
        assertTrue(err <= tol, what + ": max relative error " + err + " > " + tol);
    }
}
