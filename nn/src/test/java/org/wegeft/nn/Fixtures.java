package org.wegeft.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.wegeft.tensor.SafetensorsFile;
import org.wegeft.tensor.Storage;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorInfo;

/** Reads the fixtures of tools/fixtures/make_nn_fixtures.py and compares tensors. */
public final class Fixtures {
    private Fixtures() {
    }

    /** Every tensor of a fixture as an owned copy, plus its metadata. */
    public record Fixture(Map<String, Tensor> tensors, Map<String, String> metadata) {
        public Tensor get(String name) {
            Tensor t = tensors.get(name);
            assertNotNull(t, "fixture tensor " + name);
            return t;
        }

        public float meta(String key) {
            return Float.parseFloat(metadata.get(key));
        }
    }

    public static Fixture load(String name) {
        URL url = Fixtures.class.getResource("/fixtures/" + name + ".safetensors");
        assertNotNull(url, "fixture " + name + " missing; run tools/fixtures/make_nn_fixtures.py");
        Map<String, Tensor> out = new HashMap<>();
        try (SafetensorsFile sf = SafetensorsFile.open(Path.of(url.toURI()))) {
            for (TensorInfo info : sf.tensors()) {
                try (Storage s = sf.storage(info.name()); Tensor mapped = Tensor.wrap(s, info.shape())) {
                    Tensor copy = info.dtype().equals("I32") ? Tensor.ofInts(mapped.toIntArray(), info.shape())
                            : Tensor.zeros(info.shape()).copyFrom(mapped);
                    out.put(info.name(), copy);
                }
            }
            return new Fixture(out, sf.metadata());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** max |actual − expected| ≤ tol · max |expected| (shapes equal). */
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
        assertTrue(err <= tol * Math.max(scale, 1e-12), what + ": max abs error " + err + " vs max |expected| " + scale);
    }
}
