package org.wegeft.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KernelSourcesTest {
    @ParameterizedTest
    @ValueSource(strings = {"norms", "losses", "attention"})
    void sharedBlockReductionsAreInlinedOnce(String module) {
        String src = KernelSources.read(module);
        assertFalse(src.contains("#include"), module + " still has an #include for NVRTC to resolve");
        assertEquals(1, src.split("__device__ float block_sum\\(", -1).length - 1, module);
        assertEquals(1, src.split("__device__ float block_max\\(", -1).length - 1, module);
    }
}
