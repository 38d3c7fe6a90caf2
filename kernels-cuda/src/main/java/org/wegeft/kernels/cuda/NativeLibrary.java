package org.wegeft.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * One shared library opened with {@link SymbolLookup#libraryLookup(Path, Arena)}; downcall handles are created
 * lazily, on first use of each function, and cached.
 *
 * <p>Search order for a library: {@code WEGEFT_CUDA_LIB_DIR}, {@code CUDA_HOME}/lib64, {@code CUDA_PATH}/lib64,
 * {@code /usr/local/cuda/lib64}, {@code /usr/local/cuda-*}/lib64 (newest first), {@code /usr/lib/x86_64-linux-gnu},
 * {@code /usr/lib64}, {@code /usr/lib/wsl/lib}; in each, the sonames in the order given. Last, the bare soname
 * through the dynamic loader's own search ({@code LD_LIBRARY_PATH}, the ld.so cache).
 */
final class NativeLibrary {
    private static final Linker LINKER = Linker.nativeLinker();

    private final String name;
    private final Path path;
    private final SymbolLookup lookup;
    private final Map<String, MethodHandle> handles = new ConcurrentHashMap<>();

    private NativeLibrary(String name, Path path, SymbolLookup lookup) {
        this.name = name;
        this.path = path;
        this.lookup = lookup;
    }

    /** What {@link #load} found: a library, or the reason none was found. */
    sealed interface Found permits Loaded, Missing {
    }

    record Loaded(NativeLibrary library) implements Found {
    }

    record Missing(String reason) implements Found {
    }

    /** Opens the first of {@code sonames} found in {@code dirs}, else through the dynamic loader. */
    static Found load(List<String> sonames, List<Path> dirs) {
        List<String> errors = new ArrayList<>();
        for (Path dir : dirs) {
            for (String so : sonames) {
                Path p = dir.resolve(so);
                if (Files.isRegularFile(p)) {
                    try {
                        return new Loaded(new NativeLibrary(so, p, SymbolLookup.libraryLookup(p, Arena.global())));
                    } catch (IllegalArgumentException e) {
                        errors.add(p + ": " + e.getMessage());
                    }
                }
            }
        }
        for (String so : sonames) {
            try {
                return new Loaded(new NativeLibrary(so, Path.of(so), SymbolLookup.libraryLookup(so, Arena.global())));
            } catch (IllegalArgumentException e) {
                // not known to the dynamic loader either
            }
        }
        return new Missing(String.join(" / ", sonames) + " not found in " + dirs + " nor by the dynamic loader"
                + (errors.isEmpty() ? "" : "; failed to open " + errors));
    }

    /** The directories searched, in order (see the class comment). */
    static List<Path> searchDirs(Function<String, @Nullable String> env) {
        Set<Path> dirs = new LinkedHashSet<>();
        String own = env.apply("WEGEFT_CUDA_LIB_DIR");
        if (own != null && !own.isBlank()) {
            for (String d : own.split(java.io.File.pathSeparator)) {
                dirs.add(Path.of(d));
            }
        }
        for (String var : List.of("CUDA_HOME", "CUDA_PATH")) {
            String home = env.apply(var);
            if (home != null && !home.isBlank()) {
                dirs.add(Path.of(home, "lib64"));
                dirs.add(Path.of(home, "lib"));
            }
        }
        dirs.add(Path.of("/usr/local/cuda/lib64"));
        try (Stream<Path> s = Files.list(Path.of("/usr/local"))) {
            s.filter(p -> p.getFileName().toString().startsWith("cuda-"))
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
                    .forEach(p -> dirs.add(p.resolve("lib64")));
        } catch (java.io.IOException | SecurityException e) {
            // no /usr/local: nothing to add
        }
        dirs.add(Path.of("/usr/lib/x86_64-linux-gnu"));
        dirs.add(Path.of("/usr/lib64"));
        dirs.add(Path.of("/usr/lib/wsl/lib"));
        return List.copyOf(dirs);
    }

    String name() {
        return name;
    }

    Path path() {
        return path;
    }

    /** Whether the library exports {@code symbol}. */
    boolean has(String symbol) {
        return lookup.find(symbol).isPresent();
    }

    /** The downcall handle of {@code symbol}, created on first use. */
    MethodHandle handle(String symbol, FunctionDescriptor descriptor) {
        return handles.computeIfAbsent(symbol, s -> {
            Optional<MemorySegment> address = lookup.find(s);
            if (address.isEmpty()) {
                throw new CudaException(s, "SYMBOL_NOT_FOUND", "not exported by " + path);
            }
            return LINKER.downcallHandle(address.get(), descriptor);
        });
    }

    /** The first of {@code symbols} the library exports (versioned entry points: {@code _v2} before plain). */
    MethodHandle handle(List<String> symbols, FunctionDescriptor descriptor) {
        for (String s : symbols) {
            if (has(s)) {
                return handle(s, descriptor);
            }
        }
        throw new CudaException(symbols.getFirst(), "SYMBOL_NOT_FOUND", "none of " + symbols + " exported by " + path);
    }

    /** Calls {@code symbol}, a function returning a status code, and returns that status unchecked. */
    int status(String symbol, FunctionDescriptor descriptor, Object... args) {
        return invokeStatus(symbol, handle(symbol, descriptor), args);
    }

    /** {@link #status(String, FunctionDescriptor, Object...)} on the first of {@code symbols} the library exports. */
    int status(List<String> symbols, FunctionDescriptor descriptor, Object... args) {
        return invokeStatus(symbols.getFirst(), handle(symbols, descriptor), args);
    }

    private static int invokeStatus(String symbol, MethodHandle h, Object... args) {
        try {
            return (int) h.invokeWithArguments(args);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException(symbol, "INVOCATION_FAILED", t.toString());
        }
    }
}
