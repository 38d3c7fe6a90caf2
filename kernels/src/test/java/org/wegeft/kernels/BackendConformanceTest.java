package org.wegeft.kernels;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.wegeft.kernels.cpu.CpuBackend;
import org.wegeft.kernels.scalar.ScalarBackend;

/**
 * Runs the conformance suite against every backend {@link Backends#all()} finds, except the scalar reference
 * itself. Each (backend, kernel, shape) is its own test; an unavailable backend is reported as skipped with its
 * reason. Device backends ({@code hostAccessible() == false}, e.g. cuda) run through {@link HostStagingBackend}.
 */
class BackendConformanceTest {

    @TestFactory
    Stream<DynamicNode> everyBackendMatchesTheScalarReference() {
        return ConformanceSuite.forBackends(Backends.all().stream()
                .filter(b -> !b.name().equals(ScalarBackend.NAME))
                .map(b -> b.hostAccessible() ? b : (KernelBackend) new HostStagingBackend(b))
                .toList());
    }

    /** The staging path itself, on CPU: a pretend device that runs the CPU kernels on its own buffers. */
    @TestFactory
    Stream<DynamicNode> stagedDeviceBackendMatchesTheScalarReference() {
        return ConformanceSuite.forBackends(List.of(new HostStagingBackend(new FakeDeviceBackend(new CpuBackend()))));
    }
}
