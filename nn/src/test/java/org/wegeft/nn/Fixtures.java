package org.wegeft.nn;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Path;
import java.util.Map;
import org.wegeft.tensor.SafetensorsFile;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.testing.TensorFixtures;

/** Reads the fixtures of tools/fixtures/make_nn_fixtures.py. */
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
        Path file = TensorFixtures.path(Fixtures.class, name + ".safetensors", "tools/fixtures/make_nn_fixtures.py");
        Map<String, String> metadata;
        try (SafetensorsFile sf = SafetensorsFile.open(file)) {
            metadata = Map.copyOf(sf.metadata());
        }
        return new Fixture(TensorFixtures.tensors(file), metadata);
    }
}
