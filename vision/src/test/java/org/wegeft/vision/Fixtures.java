package org.wegeft.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.wegeft.tensor.SafetensorsFile;
import org.wegeft.tensor.Storage;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorInfo;

/** The fixtures of tools/fixtures/make_vit_fixtures.py and comparison helpers. */
final class Fixtures {
    private Fixtures() {
    }

    static Path path(String name) {
        URL url = Fixtures.class.getResource("/fixtures/" + name);
        assertNotNull(url, "fixture " + name + " missing; run /usr/bin/python3 tools/fixtures/make_vit_fixtures.py");
        try {
            return Path.of(url.toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every tensor of a fixture file as an F32 copy. */
    static Map<String, Tensor> tensors(String file) {
        Map<String, Tensor> out = new HashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(path(file))) {
            for (TensorInfo info : f.tensors()) {
                try (Storage s = f.storage(info.name()); Tensor mapped = Tensor.wrap(s, info.shape())) {
                    out.put(info.name(), Tensor.zeros(info.shape()).copyFrom(mapped));
                }
            }
        }
        return out;
    }

    /** max |a − b| / max |b|. */
    static double maxRelError(Tensor actual, Tensor expected) {
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        float[] a = actual.toFloatArray();
        float[] b = expected.toFloatArray();
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        assertTrue(scale > 0, "reference is all zeros");
        return diff / scale;
    }
}
