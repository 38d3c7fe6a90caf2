package org.wegeft.vision;

import java.nio.file.Path;
import java.util.Map;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.testing.TensorFixtures;

/** The fixtures of tools/fixtures/make_vit_fixtures.py. */
final class Fixtures {
    private Fixtures() {
    }

    static Path path(String name) {
        return TensorFixtures.path(Fixtures.class, name, "/usr/bin/python3 tools/fixtures/make_vit_fixtures.py");
    }

    /** Every tensor of a fixture file as an F32 copy. */
    static Map<String, Tensor> tensors(String file) {
        return TensorFixtures.tensors(path(file));
    }
}
