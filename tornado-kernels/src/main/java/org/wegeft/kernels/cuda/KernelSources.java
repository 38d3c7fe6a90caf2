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

    static String read(String module) {
        String resource = module + ".cu";
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
