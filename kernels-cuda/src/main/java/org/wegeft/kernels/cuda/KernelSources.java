package org.wegeft.kernels.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The CUDA C sources of the backend, kept as class-path resources next to this package. */
final class KernelSources {
    /** Every module, by resource name (without ".cu"). */
    static final List<String> MODULES = List.of("elementwise", "norms", "losses", "attention", "convert");

    private KernelSources() {
    }

    /**
     * The source of {@code module} with every {@code #include "name.cuh"} line replaced by that resource's text
     * (one level: shared helpers such as the block reductions live in one file, and NVRTC gets one
     * self-contained source whose text is also the PTX cache key).
     */
    static String read(String module) {
        StringBuilder out = new StringBuilder();
        for (String line : resource(module + ".cu").split("\n", -1)) {
            var include = INCLUDE.matcher(line);
            out.append(include.matches() ? resource(include.group(1)) : line).append('\n');
        }
        return out.substring(0, out.length() - 1);
    }

    private static final java.util.regex.Pattern INCLUDE =
            java.util.regex.Pattern.compile("\\s*#include\\s+\"([A-Za-z0-9_]+\\.cuh)\"\\s*");

    private static String resource(String resource) {
        try (InputStream in = KernelSources.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("CUDA kernel source " + resource + " is missing from the class path "
                        + "(expected next to " + KernelSources.class.getName() + ")");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read CUDA kernel source " + resource, e);
        }
    }
}
