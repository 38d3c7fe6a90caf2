package org.wegeft.llm;

import java.nio.file.Path;
import java.util.Map;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.testing.TensorFixtures;

/** The fixtures of tools/fixtures/make_llama_fixtures.py. */
final class LlmFixtures {
    private LlmFixtures() {
    }

    static Path path(String name) {
        return TensorFixtures.path(LlmFixtures.class, name, "/usr/bin/python3 tools/fixtures/make_llama_fixtures.py");
    }

    /** Every tensor of a fixture file as a heap copy (F32 or I32). */
    static Map<String, Tensor> tensors(String file) {
        return TensorFixtures.tensors(path(file));
    }
}
