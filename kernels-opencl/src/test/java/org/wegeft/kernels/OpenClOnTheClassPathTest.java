package org.wegeft.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.wegeft.kernels.opencl.OpenClBackend;

/**
 * The OpenCL artifact on the class path: {@code ServiceLoader} finds its backend, default selection passes it over,
 * and the conformance suite runs on it through host staging, with the same tolerances as the CPU backend, on
 * whatever OpenCL device is there (PoCL on the CPU in CI). Skipped, with the reason printed, without OpenCL.
 */
class OpenClOnTheClassPathTest {
    @Test
    void serviceLoaderFindsItButTheDefaultIsTheCpu() {
        KernelBackend ocl = Backends.all().stream().filter(b -> b.name().equals("opencl")).findFirst().orElseThrow();
        assertFalse(ocl.chosenByDefault(), "opencl is chosen by default before a GPU run has checked it");
        List<String> warnings = new ArrayList<>();
        KernelBackend chosen = Backends.chooseByDefault(Backends.all(), (level, message) -> warnings.add(message));
        assertEquals("cpu", chosen.name(), "with the Vector API module, the CPU backend: " + warnings);
    }

    @TestFactory
    Stream<DynamicNode> openClMatchesTheScalarReference() {
        OpenClBackend ocl = new OpenClBackend();
        Availability a = ocl.availability();
        if (!a.available()) {
            String reason = "opencl: conformance suite skipped: " + a.reason();
            System.out.println(reason);
            Assumptions.abort(reason);
        }
        System.out.println("opencl: conformance suite on device " + ocl.device());
        return ConformanceSuite.forBackends(List.of(new HostStagingBackend(ocl)));
    }
}
