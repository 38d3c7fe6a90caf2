package org.wegeft.kernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.opentest4j.TestAbortedException;

/**
 * Runs the conformance suite against one backend outside Maven (the GPU check has no JDK and no Maven): walks the
 * dynamic tests, counts passes, failures and skips, prints one line per failure and writes a JSON summary.
 * Usage: {@code java -cp <test classes, classes, junit api> org.wegeft.kernels.ConformanceMain <backend> <out.json>}.
 * Exit status 0 when every case passed, 1 when any failed, 2 when the backend is unknown or unavailable.
 */
public final class ConformanceMain {
    private int passed;
    private int skipped;
    private final List<String> failures = new ArrayList<>();

    private ConformanceMain() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: ConformanceMain <backend> <out.json>");
            System.exit(2);
        }
        KernelBackend backend = Backends.all().stream().filter(b -> b.name().equals(args[0])).findFirst().orElse(null);
        Path out = Path.of(args[1]);
        if (backend == null || !backend.availability().available()) {
            String reason = backend == null ? "unknown backend '" + args[0] + "'" : backend.availability().reason();
            Files.writeString(out, "{\"backend\":\"" + esc(args[0]) + "\",\"available\":false,\"reason\":\""
                    + esc(reason) + "\"}\n");
            System.err.println("conformance: " + args[0] + ": " + reason);
            System.exit(2);
        }
        KernelBackend tested = backend.hostAccessible() ? backend : new HostStagingBackend(backend);
        ConformanceMain run = new ConformanceMain();
        long t0 = System.nanoTime();
        run.walk("", ConformanceSuite.forBackends(List.of(tested)));
        double seconds = (System.nanoTime() - t0) / 1e9;
        StringBuilder json = new StringBuilder();
        json.append("{\"backend\":\"").append(esc(backend.name())).append("\",\"available\":true,\"reason\":\"")
                .append(esc(backend.availability().reason())).append("\",\"passed\":").append(run.passed)
                .append(",\"failed\":").append(run.failures.size()).append(",\"skipped\":").append(run.skipped)
                .append(",\"seconds\":").append(String.format(java.util.Locale.ROOT, "%.2f", seconds))
                .append(",\"failures\":[");
        for (int i = 0; i < run.failures.size(); i++) {
            json.append(i == 0 ? "" : ",").append('"').append(esc(run.failures.get(i))).append('"');
        }
        json.append("]}\n");
        Files.writeString(out, json);
        System.out.println("conformance " + backend.name() + ": " + run.passed + " passed, " + run.failures.size()
                + " failed, " + run.skipped + " skipped in " + String.format(java.util.Locale.ROOT, "%.1f", seconds)
                + " s");
        System.exit(run.failures.isEmpty() ? 0 : 1);
    }

    private void walk(String prefix, Stream<? extends DynamicNode> nodes) {
        nodes.forEach(n -> {
            String name = prefix.isEmpty() ? n.getDisplayName() : prefix + " / " + n.getDisplayName();
            switch (n) {
                case DynamicContainer c -> walk(name, c.getChildren());
                case DynamicTest t -> {
                    try {
                        t.getExecutable().execute();
                        passed++;
                    } catch (TestAbortedException e) {
                        skipped++;
                    } catch (Throwable e) {
                        String line = name + ": " + e;
                        failures.add(line);
                        System.out.println("FAIL " + line);
                    }
                }
                default -> throw new IllegalStateException("unexpected node " + n);
            }
        });
    }

    private static String esc(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\t", " ");
    }
}
