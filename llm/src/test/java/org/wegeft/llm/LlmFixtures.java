package org.wegeft.llm;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /** Reading {@code file} fails with a {@link DecoderConfigException} that names the file and {@code key}. */
    static void assertConfigRefused(Path file, String key) {
        DecoderConfigException e = assertThrows(DecoderConfigException.class, () -> DecoderConfig.read(file));
        assertTrue(e.key().startsWith(key), key + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }
}
