package org.wegeft.vision.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.wegeft.tensor.testing.TensorFixtures;

/** The fixtures of tools/fixtures/make_image_processor_fixtures.py. */
final class ProcessorFixtures {
    static final String SCRIPT = "/usr/bin/python3 tools/fixtures/make_image_processor_fixtures.py";

    private ProcessorFixtures() {}

    static Path path(String name) {
        return TensorFixtures.path(ProcessorFixtures.class, name, SCRIPT);
    }

    /** An input image as HF's pipeline opens it, read by our decoder. */
    static RgbImage input(String name) {
        return read(path("images/" + name));
    }

    /** A committed PNG (decoded or processed reference): lossless, so read back exactly. */
    static RgbImage png(String name) {
        return read(path(name));
    }

    static RgbImage read(Path file) {
        try {
            return new ImageDecoder().read(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(String name) {
        try {
            return new ObjectMapper().readTree(path(name).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The largest |a − b| over two images of one shape; fails when the shapes differ. */
    static int maxDiff(RgbImage a, RgbImage b) {
        if (a.height() != b.height() || a.width() != b.width()) {
            throw new AssertionError("shape " + a.height() + "x" + a.width() + " != " + b.height() + "x" + b.width());
        }
        int max = 0;
        for (int i = 0; i < a.pixels().length; i++) {
            max = Math.max(max, Math.abs((a.pixels()[i] & 0xFF) - (b.pixels()[i] & 0xFF)));
        }
        return max;
    }
}
