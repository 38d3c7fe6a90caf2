package org.wegeft.kernels;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * Finds {@link KernelBackend}s with {@link ServiceLoader} and picks one.
 *
 * <p>Selection: the system property {@code wegeft.backend}, else the environment variable
 * {@code WEGEFT_BACKEND}, else the available backend with the highest priority among those
 * {@linkplain KernelBackend#chosenByDefault() chosen by default}. When a backend that would have been chosen cannot
 * run here (the CPU backend without the Vector API module), one warning says why and what runs instead.
 */
public final class Backends {
    public static final String PROPERTY = "wegeft.backend";
    public static final String ENV = "WEGEFT_BACKEND";

    private static volatile List<KernelBackend> all;
    private static volatile KernelBackend current;

    private Backends() {
    }

    /**
     * One line per discovered backend.
     * @param chosenByDefault whether default selection may pick it (else only when asked for by name)
     */
    public record Info(String name, int priority, boolean available, String reason, boolean chosenByDefault) {
    }

    /** Every backend on the class path, available or not, highest priority first. */
    public static List<KernelBackend> all() {
        List<KernelBackend> list = all;
        if (list == null) {
            synchronized (Backends.class) {
                list = all;
                if (list == null) {
                    List<KernelBackend> found = new ArrayList<>();
                    for (KernelBackend b : ServiceLoader.load(KernelBackend.class, Backends.class.getClassLoader())) {
                        found.add(b);
                    }
                    found.sort(Comparator.comparingInt(KernelBackend::priority).reversed());
                    all = list = List.copyOf(found);
                }
            }
        }
        return list;
    }

    /** Availability of every backend, for {@code wegeft backends}. */
    public static List<Info> list() {
        return all().stream().map(b -> {
            Availability a = b.availability();
            return new Info(b.name(), b.priority(), a.available(), a.reason(), b.chosenByDefault());
        }).toList();
    }

    /**
     * The backend named {@code name}.
     * @throws BackendUnavailableException when no backend has that name or it cannot run here
     */
    public static KernelBackend byName(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (KernelBackend b : all()) {
            if (b.name().equals(wanted)) {
                Availability a = b.availability();
                if (!a.available()) {
                    throw new BackendUnavailableException("backend '" + wanted + "' is not available: " + a.reason());
                }
                return b;
            }
        }
        throw new BackendUnavailableException("unknown backend '" + name + "'; known: "
                + all().stream().map(KernelBackend::name).toList());
    }

    /** The configured backend (property, then environment, then best available); cached. */
    public static KernelBackend current() {
        KernelBackend b = current;
        if (b == null) {
            synchronized (Backends.class) {
                b = current;
                if (b == null) {
                    current = b = select();
                }
            }
        }
        return b;
    }

    /** Replaces the current backend (tests, the command line's {@code --backend}). */
    public static void setCurrent(KernelBackend backend) {
        current = backend;
    }

    private static KernelBackend select() {
        String requested = System.getProperty(PROPERTY);
        String source = "-D" + PROPERTY;
        if (requested == null || requested.isBlank()) {
            requested = System.getenv(ENV);
            source = ENV;
        }
        if (requested != null && !requested.isBlank()) {
            try {
                return byName(requested);
            } catch (BackendUnavailableException e) {
                throw new BackendUnavailableException(source + "=" + requested + ": " + e.getMessage());
            }
        }
        return chooseByDefault(all(), System.getLogger(Backends.class.getName())::log);
    }

    /** Where {@link #chooseByDefault} says that a better backend cannot run. */
    @FunctionalInterface
    interface Warnings {
        void log(System.Logger.Level level, String message);
    }

    /**
     * The first available backend of {@code candidates} (highest priority first) that may be chosen by default; when
     * one before it could not run, one warning names it, why, and the backend used instead.
     */
    static KernelBackend chooseByDefault(List<KernelBackend> candidates, Warnings warnings) {
        KernelBackend missed = null;
        String why = "";
        for (KernelBackend b : candidates) {
            if (!b.chosenByDefault()) {
                continue;
            }
            Availability a = b.availability();
            if (a.available()) {
                if (missed != null) {
                    warnings.log(System.Logger.Level.WARNING, "kernel backend '" + missed.name() + "' cannot run: "
                            + why + "; using '" + b.name() + "' instead, which is much slower");
                }
                return b;
            }
            if (missed == null) {
                missed = b;
                why = a.reason();
            }
        }
        throw new BackendUnavailableException("no kernel backend is available; found " + list());
    }
}
