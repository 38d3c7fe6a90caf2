package org.wegeft.kernels.device;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The non-GEMM kernels of the device backends, written once in the common subset of CUDA C and OpenCL C and kept as
 * class-path resources next to this class: {@code <module>.c} holds the kernels, {@code common.h} the helpers every
 * module shares (block reductions, constants), and one header per {@link Dialect} defines the macros the kernels are
 * written in (thread and block ids, barriers, shared memory, address-space qualifiers, buffer parameters, atomics,
 * half conversions). The source a compiler gets is the dialect header, {@code common.h} and the module, in that
 * order: one self-contained text, which is also what the compiled-code caches key on.
 */
public final class DeviceKernelSources {
    /** Every module, by resource name (without ".c"). */
    public static final List<String> MODULES = List.of("elementwise", "norms", "losses", "attention", "convert");

    /** A kernel language: the header that maps the shared macros onto it. */
    public enum Dialect {
        CUDA("dialect_cuda.h"),
        OPENCL("dialect_opencl.h");

        private final String header;

        Dialect(String header) {
            this.header = header;
        }

        public String header() {
            return header;
        }
    }

    private static final Pattern KERNEL = Pattern.compile("(?m)^KERNEL\\s+void\\s+(\\w+)\\s*\\(");

    private DeviceKernelSources() {
    }

    /** The source of {@code module} for {@code dialect}'s compiler. */
    public static String read(String module, Dialect dialect) {
        return resource(dialect.header()) + "\n" + resource("common.h") + "\n" + resource(module + ".c");
    }

    /** The kernels {@code module} defines (its {@code KERNEL void name(} lines), in source order. */
    public static List<String> entryPoints(String module) {
        List<String> names = new ArrayList<>();
        Matcher m = KERNEL.matcher(resource(module + ".c"));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /**
     * Writes each module's source for {@code dialect} to {@code dir} as {@code <module>.cu} (CUDA) or
     * {@code <module>.cl} (OpenCL), with {@code <module>.entries} listing its kernels one per line: what
     * {@code tools/gpu-check.sh} compiles with nvcc where nvcc exists.
     */
    public static void writeAll(Dialect dialect, Path dir) throws IOException {
        Files.createDirectories(dir);
        String ext = dialect == Dialect.CUDA ? ".cu" : ".cl";
        for (String module : MODULES) {
            Files.writeString(dir.resolve(module + ext), read(module, dialect));
            Files.writeString(dir.resolve(module + ".entries"), String.join("\n", entryPoints(module)) + "\n");
        }
    }

    /** {@code java -cp <kernels classes> org.wegeft.kernels.device.DeviceKernelSources cuda|opencl <dir>}. */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: DeviceKernelSources cuda|opencl <dir>");
            System.exit(2);
        }
        writeAll(Dialect.valueOf(args[0].toUpperCase(java.util.Locale.ROOT)), Path.of(args[1]));
    }

    static String resource(String resource) {
        try (InputStream in = DeviceKernelSources.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("device kernel source " + resource + " is missing from the class path "
                        + "(expected next to " + DeviceKernelSources.class.getName() + ")");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read device kernel source " + resource, e);
        }
    }
}
