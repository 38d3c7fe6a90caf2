package org.wegeft.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.wegeft.kernels.DType;
import org.wegeft.tensor.SafetensorsFile;
import org.wegeft.tensor.Storage;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorInfo;

/** The fixtures of tools/fixtures/make_llama_fixtures.py and comparison helpers. */
final class LlmFixtures {
    private LlmFixtures() {
    }

    static Path path(String name) {
        URL url = LlmFixtures.class.getResource("/fixtures/" + name);
        assertNotNull(url, "fixture " + name + " missing; run /usr/bin/python3 tools/fixtures/make_llama_fixtures.py");
        try {
            return Path.of(url.toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every tensor of a fixture file as a heap copy (F32 or I32). */
    static Map<String, Tensor> tensors(String file) {
        Map<String, Tensor> out = new HashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(path(file))) {
            for (TensorInfo info : f.tensors()) {
                try (Storage s = f.storage(info.name()); Tensor mapped = Tensor.wrap(s, info.shape())) {
                    DType d = mapped.dtype() == DType.I32 ? DType.I32 : DType.F32;
                    out.put(info.name(), Tensor.zeros(d, info.shape()).copyFrom(mapped));
                }
            }
        }
        return out;
    }

    /** max |a − b| / max |b|. */
    static double maxRelError(Tensor actual, Tensor expected) {
        return maxRelError(actual.toFloatArray(), expected.toFloatArray(), actual.shape(), expected.shape());
    }

    static double maxRelError(float[] a, float[] b, long[] shapeA, long[] shapeB) {
        assertArrayEquals(shapeB, shapeA, "shape");
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
