package org.wegeft.kernels;

import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicNode;
import org.wegeft.kernels.scalar.ScalarBackend;

/**
 * The backend conformance suite: every kernel of {@link KernelBackend} on seeded random inputs over many shapes,
 * compared with {@link ScalarBackend}. The backends under test are a parameter, so the suite can be pointed at
 * the discovered backends ({@link BackendConformanceTest}) or at test doubles ({@link BackendConformanceSelfTest}).
 *
 * <p>Buffers come from {@link java.lang.foreign.Arena#ofShared()} arenas: multi-threaded backends touch them from
 * their worker threads, which a confined arena forbids ({@code WrongThreadException}).
 */
final class ConformanceSuite {
    static final KernelBackend REFERENCE = new ScalarBackend();

    private ConformanceSuite() {
    }

    /** Every (kernel, shape) case, in SPI order. */
    static List<ConformanceCase> cases() {
        List<ConformanceCase> all = new ArrayList<>();
        all.addAll(GemmConformance.cases());
        all.addAll(WeightGemmConformance.cases());
        all.addAll(QuantizedGemmConformance.cases());
        all.addAll(ElementwiseConformance.cases());
        all.addAll(NormConformance.cases());
        all.addAll(ModelConformance.cases());
        all.addAll(ConvertConformance.cases());
        return all;
    }

    /**
     * One container per backend, one per kernel inside it, one test per shape. An unavailable backend yields a
     * single aborted (skipped) test whose message and System.out line give the backend's reason; an empty list
     * yields one skipped test saying so. Nothing passes silently.
     */
    static Stream<DynamicNode> forBackends(List<KernelBackend> backends) {
        if (backends.isEmpty()) {
            return Stream.of(dynamicTest("no backend other than scalar found", () -> skip(
                    "conformance: no backend other than the scalar reference is on the class path; nothing to compare")));
        }
        return backends.stream().map(ConformanceSuite::forBackend);
    }

    private static DynamicNode forBackend(KernelBackend backend) {
        Availability availability = backend.availability();
        if (!availability.available()) {
            return dynamicTest(backend.name() + " (unavailable)", () -> skip("conformance: backend '" + backend.name()
                    + "' skipped, not available here: " + availability.reason()));
        }
        Map<String, List<ConformanceCase>> byKernel = new LinkedHashMap<>();
        for (ConformanceCase c : cases()) {
            byKernel.computeIfAbsent(c.kernel(), k -> new ArrayList<>()).add(c);
        }
        return dynamicContainer(backend.name(), byKernel.entrySet().stream().map(e -> dynamicContainer(e.getKey(),
                e.getValue().stream().map(c -> dynamicTest(c.shape(), () -> c.check().run(REFERENCE, backend))))));
    }

    private static void skip(String message) {
        System.out.println(message);
        Assumptions.abort(message);
    }
}
