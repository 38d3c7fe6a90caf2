package org.wegeft.kernels;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.wegeft.kernels.scalar.ScalarBackend;

/**
 * Runs the conformance suite against every backend {@link Backends#all()} finds, except the scalar reference
 * itself. Each (backend, kernel, shape) is its own test; an unavailable backend is reported as skipped with its
 * reason.
 */
class BackendConformanceTest {

    @TestFactory
    Stream<DynamicNode> everyBackendMatchesTheScalarReference() {
        return ConformanceSuite.forBackends(
                Backends.all().stream().filter(b -> !b.name().equals(ScalarBackend.NAME)).toList());
    }
}
