package org.wegeft.vision.hf;

import java.nio.file.Path;
import java.util.Map;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.testing.TensorFixtures;

/** The fixtures of tools/fixtures/make_vision_family_fixtures.py. */
final class HfFixtures {
    private HfFixtures() {
    }

    static Path path(String name) {
        return TensorFixtures.path(HfFixtures.class, name,
                "/usr/bin/python3 tools/fixtures/make_vision_family_fixtures.py");
    }

    /** Every tensor of a fixture file as an F32 copy. */
    static Map<String, Tensor> tensors(String file) {
        return TensorFixtures.tensors(path(file));
    }
}
