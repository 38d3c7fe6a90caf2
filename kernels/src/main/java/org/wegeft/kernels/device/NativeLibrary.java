package org.wegeft.kernels.device;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One shared library opened with {@link SymbolLookup#libraryLookup(Path, Arena)}; downcall handles are created
 * lazily, on first use of each function, and cached.
 *
 * <p>{@link #load} tries each of the given directories in order and in each the sonames in the order given; last,
 * the bare soname through the dynamic loader's own search ({@code LD_LIBRARY_PATH}, the ld.so cache). Each backend
 * supplies its own directories.
 */
public final class NativeLibrary {
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
    public sealed interface Found permits Loaded, Missing {
    }

    public record Loaded(NativeLibrary library) implements Found {
    }

    public record Missing(String reason) implements Found {
    }

    /** Opens the first of {@code sonames} found in {@code dirs}, else through the dynamic loader. */
    public static Found load(List<String> sonames, List<Path> dirs) {
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

    public String name() {
        return name;
    }

    public Path path() {
        return path;
    }

    /** Whether the library exports {@code symbol}. */
    public boolean has(String symbol) {
        return lookup.find(symbol).isPresent();
    }

    /** The downcall handle of {@code symbol}, created on first use. */
    public MethodHandle handle(String symbol, FunctionDescriptor descriptor) {
        return handles.computeIfAbsent(symbol, s -> {
            Optional<MemorySegment> address = lookup.find(s);
            if (address.isEmpty()) {
                throw new DeviceException(s, "SYMBOL_NOT_FOUND", "not exported by " + path);
            }
            return LINKER.downcallHandle(address.get(), descriptor);
        });
    }

    /** The first of {@code symbols} the library exports (versioned entry points: {@code _v2} before plain). */
    public MethodHandle handle(List<String> symbols, FunctionDescriptor descriptor) {
        for (String s : symbols) {
            if (has(s)) {
                return handle(s, descriptor);
            }
        }
        throw new DeviceException(symbols.getFirst(), "SYMBOL_NOT_FOUND", "none of " + symbols + " exported by " + path);
    }

    /** Calls {@code symbol}, a function returning a status code, and returns that status unchecked. */
    public int status(String symbol, FunctionDescriptor descriptor, Object... args) {
        return invokeStatus(symbol, handle(symbol, descriptor), args);
    }

    /** {@link #status(String, FunctionDescriptor, Object...)} on the first of {@code symbols} the library exports. */
    public int status(List<String> symbols, FunctionDescriptor descriptor, Object... args) {
        return invokeStatus(symbols.getFirst(), handle(symbols, descriptor), args);
    }

    private static int invokeStatus(String symbol, MethodHandle h, Object... args) {
        try {
            return (int) h.invokeWithArguments(args);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new DeviceException(symbol, "INVOCATION_FAILED", t.toString());
        }
    }
}
