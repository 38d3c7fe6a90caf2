package org.wegeft.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.wegeft.kernels.cuda.CudaBackend;

/**
 * The CUDA artifact on the class path: {@code ServiceLoader} finds its backend, default selection passes it over
 * (it runs only when asked for by name), and the conformance suite runs on it through host staging where a GPU is
 * present (reported as skipped, with the reason, where not).
 */
class CudaOnTheClassPathTest {
    @Test
    void serviceLoaderFindsItButTheDefaultIsTheCpu() {
        KernelBackend cuda = Backends.all().stream().filter(b -> b.name().equals("cuda")).findFirst().orElseThrow();
        assertFalse(cuda.chosenByDefault(), "cuda is chosen by default before a GPU run has checked it");
        assertTrue(Backends.list().stream().anyMatch(i -> i.name().equals("cuda") && !i.chosenByDefault()));
        List<String> warnings = new ArrayList<>();
        KernelBackend chosen = Backends.chooseByDefault(Backends.all(), (level, message) -> warnings.add(message));
        assertEquals("cpu", chosen.name(), "with the Vector API module, the CPU backend: " + warnings);
        assertEquals(List.of(), warnings);
    }

    @TestFactory
    Stream<DynamicNode> cudaMatchesTheScalarReference() {
        return ConformanceSuite.forBackends(List.of(new HostStagingBackend(new CudaBackend())));
    }
}
