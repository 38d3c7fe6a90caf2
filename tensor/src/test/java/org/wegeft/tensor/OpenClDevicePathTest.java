package org.wegeft.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.kernels.Backends;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.ProfilingBackend;
import org.wegeft.kernels.opencl.OpenClBackend;

/**
 * The tensor module's device path on a real device backend: {@link DevicePathTest}'s training steps, readers and
 * safetensors round trip on the OpenCL backend (PoCL on the CPU in CI), against the scalar reference. Skipped, with
 * the reason printed, where no OpenCL device is found.
 */
class OpenClDevicePathTest {
    private static final float TOLERANCE = 1e-4f;
    private static OpenClBackend ocl;

    @BeforeAll
    static void needsOpenCl() {
        ocl = new OpenClBackend();
        if (!ocl.availability().available()) {
            String reason = "opencl: device-path tests skipped: " + ocl.availability().reason();
            System.out.println(reason);
            Assumptions.abort(reason);
        }
        System.out.println("opencl: device-path tests on device " + ocl.device());
    }

    private static long copies(ProfilingBackend p) {
        return p.lines().stream().filter(l -> l.kernel().startsWith("copyTo")).mapToLong(ProfilingBackend.Line::calls)
                .sum();
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            float tol = TOLERANCE * Math.max(1f, Math.abs(expected[i]));
            assertTrue(Math.abs(expected[i] - actual[i]) <= tol, what + "[" + i + "]: expected " + expected[i]
                    + ", got " + actual[i]);
        }
    }

    @Test
    void trainingStepsMatchTheScalarReferenceAndCopyOnlyAtTheEdges() {
        DevicePathTest.Run reference = DevicePathTest.train(Backends.byName("scalar"), () -> 0);
        ProfilingBackend counted = ProfilingBackend.wrap(ocl);
        DevicePathTest.Run dev = DevicePathTest.train(counted, () -> copies(counted));
        assertClose(reference.losses(), dev.losses(), "losses");
        for (int i = 0; i < reference.params().size(); i++) {
            assertClose(reference.params().get(i), dev.params().get(i), "parameter " + i);
        }
        assertTrue(dev.losses()[DevicePathTest.STEPS - 1] < dev.losses()[0], "the loss did not fall");
        for (long c : dev.copiesPerStep()) { // batch + labels up, loss down
            assertEquals(3, c, "host <-> device copies per step " + java.util.Arrays.toString(dev.copiesPerStep()));
        }
    }

    @Test
    void readersAndFactoriesSeeTheHostValues() {
        DevicePathTest.on(ocl, () -> {
            try (var s = TensorScope.open()) {
                Tensor a = Tensor.of(new float[] {1.5f, -2f, 3.25f, 4f, 0.5f, -6f}, 2, 3);
                assertFalse(a.storage().isHostMemory());
                assertEquals(3.25f, a.get(0, 2));
                assertEquals(-6f, a.t().get(2, 1));
                assertEquals(1.25f, a.sum().item());
                assertArrayEquals(new int[] {7, -1, 3}, Tensor.ofInts(new int[] {7, -1, 3}).toIntArray());
                assertArrayEquals(new float[] {1.5f, 4f, -2f, 0.5f, 3.25f, -6f}, a.t().toFloatArray());
                assertEquals(-2f, a.to(DType.BF16).get(0, 1));
            }
            return null;
        });
    }

    @Test
    void safetensorsWrittenFromTheDeviceEqualTheCpuBytes(@TempDir Path dir) throws IOException {
        Path hostFile = dir.resolve("host.safetensors");
        Path devFile = dir.resolve("dev.safetensors");
        Path streamFile = dir.resolve("stream.safetensors");
        DevicePathTest.writeThree(Backends.byName("cpu"), hostFile, null, null);
        DevicePathTest.writeThree(ocl, devFile, streamFile, null);
        assertArrayEquals(Files.readAllBytes(hostFile), Files.readAllBytes(devFile));
        assertArrayEquals(Files.readAllBytes(hostFile), Files.readAllBytes(streamFile));
    }
}
