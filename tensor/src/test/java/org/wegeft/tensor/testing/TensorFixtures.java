package org.wegeft.tensor.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.wegeft.kernels.DType;
import org.wegeft.tensor.SafetensorsFile;
import org.wegeft.tensor.Storage;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorInfo;

/**
 * Test fixtures written by the scripts of tools/fixtures (safetensors files on the test class path) and the
 * relative-error comparisons the parity tests of every module make against them.
 */
public final class TensorFixtures {
    private TensorFixtures() {
    }

    /** The fixture {@code /fixtures/<name>} on {@code owner}'s class path; fails naming {@code script} if absent. */
    public static Path path(Class<?> owner, String name, String script) {
        URL url = owner.getResource("/fixtures/" + name);
        assertNotNull(url, "fixture " + name + " missing; run " + script);
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every tensor of a safetensors file as a heap copy off the mapping: I32 stays I32, every float dtype F32. */
    public static Map<String, Tensor> tensors(Path file) {
        Map<String, Tensor> out = new HashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (TensorInfo info : f.tensors()) {
                try (Storage s = f.storage(info.name()); Tensor mapped = Tensor.wrap(s, info.shape())) {
                    DType d = mapped.dtype() == DType.I32 ? DType.I32 : DType.F32;
                    out.put(info.name(), Tensor.zeros(d, info.shape()).copyFrom(mapped));
                }
            }
        }
        return out;
    }

    /** max |actual − expected| / max |expected| (shapes equal; expected not all zeros). */
    public static double maxRelError(Tensor actual, Tensor expected) {
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        return maxRelError("reference", actual.toFloatArray(), expected.toFloatArray());
    }

    /** max |actual − expected| / max |expected| (lengths equal); fails when {@code what}'s expected is all zeros. */
    public static double maxRelError(String what, float[] actual, float[] expected) {
        assertEquals(expected.length, actual.length, what + " length");
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < expected.length; i++) {
            diff = Math.max(diff, Math.abs((double) actual[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        assertTrue(scale > 0, what + " is all zeros");
        return diff / scale;
    }

    /** max |actual − expected| ≤ tol · max |expected| (shapes equal; an all-zero expected needs an exact match). */
    public static void assertRelClose(String what, Tensor expected, Tensor actual, double tol) {
        assertNotNull(actual, what + " not computed");
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        double scale = 0;
        double err = 0;
        for (int i = 0; i < e.length; i++) {
            scale = Math.max(scale, Math.abs(e[i]));
            err = Math.max(err, Math.abs((double) e[i] - a[i]));
        }
        assertTrue(err <= tol * Math.max(scale, 1e-12), what + ": max abs error " + err + " vs max |expected| " + scale
                + " (relative " + err / scale + ")");
    }
}
