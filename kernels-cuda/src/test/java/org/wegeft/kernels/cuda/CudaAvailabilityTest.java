package org.wegeft.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.kernels.Availability;
import org.wegeft.kernels.BackendUnavailableException;
import org.wegeft.kernels.Backends;
import org.wegeft.kernels.KernelBackend;
import org.wegeft.kernels.device.DeviceProbe;
import org.wegeft.kernels.device.NativeLibrary;

class CudaAvailabilityTest {

    @Test
    void cudaBackendIsDiscoveredWithItsNameAndPriority() {
        KernelBackend cuda = Backends.all().stream().filter(b -> b.name().equals("cuda")).findFirst().orElseThrow();
        assertEquals(200, cuda.priority());
        assertFalse(cuda.hostAccessible());
        Availability a = cuda.availability();
        System.out.println("cuda: " + (a.available() ? "available: " : "unavailable: ") + a.reason());
        assertFalse(a.reason().isBlank(), "availability must say why");
    }

    @Test
    void probeWithoutLibrariesNamesTheMissingDriver(@TempDir Path empty) {
        // an empty search path: libcuda is found only if the dynamic loader knows it (a machine with a driver)
        DeviceProbe<CudaRuntime.Ready> p = CudaRuntime.probe(List.of(empty));
        if (p instanceof DeviceProbe.Unavailable<?> u) {
            assertTrue(u.reason().contains("libcuda.so.1") || u.reason().startsWith("cuInit returned ")
                    || u.reason().contains("libnvrtc") || u.reason().contains("libcublas"), u.reason());
            assertTrue(u.reason().contains(empty.toString()) || u.reason().startsWith("cuInit"), u.reason());
        } else {
            System.out.println("cuda: a driver is installed here; the missing-library path is not exercised");
        }
    }

    @Test
    void missingLibraryReasonListsTheSearchedDirectories(@TempDir Path empty) {
        NativeLibrary.Found f = NativeLibrary.load(List.of("libwegeft-does-not-exist.so.9"), List.of(empty));
        NativeLibrary.Missing m = assertInstanceOf(NativeLibrary.Missing.class, f);
        assertTrue(m.reason().startsWith("libwegeft-does-not-exist.so.9 not found in [" + empty), m.reason());
    }

    @Test
    void searchDirectoriesHonourTheEnvironmentInOrder() {
        List<Path> dirs = CudaRuntime.searchDirs(name -> switch (name) {
            case "WEGEFT_CUDA_LIB_DIR" -> "/opt/a:/opt/b";
            case "CUDA_HOME" -> "/opt/cuda";
            default -> null;
        });
        assertEquals(List.of(Path.of("/opt/a"), Path.of("/opt/b"), Path.of("/opt/cuda/lib64")), dirs.subList(0, 3));
        assertTrue(dirs.contains(Path.of("/usr/lib/x86_64-linux-gnu")));
    }

    @Test
    void unavailableBackendIsRefusedByNameWithTheReason() {
        KernelBackend cuda = Backends.all().stream().filter(b -> b.name().equals("cuda")).findFirst().orElseThrow();
        if (cuda.availability().available()) {
            System.out.println("cuda: available here; the refusal path is not exercised");
            return;
        }
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Backends.byName("cuda"));
        assertTrue(e.getMessage().contains(cuda.availability().reason()), e.getMessage());
    }

    @Test
    void gemmComputeTypeIsPureFp32UnlessOptedIn() {
        assertEquals(Cublas.CUBLAS_COMPUTE_32F, CudaBackend.computeType());
        String old = System.getProperty(CudaBackend.GEMM_PROPERTY);
        try {
            System.setProperty(CudaBackend.GEMM_PROPERTY, "tf32");
            assertEquals(Cublas.CUBLAS_COMPUTE_32F_FAST_TF32, CudaBackend.computeType());
            System.setProperty(CudaBackend.GEMM_PROPERTY, "fast");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, CudaBackend::computeType);
            assertTrue(e.getMessage().contains(CudaBackend.GEMM_PROPERTY), e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty(CudaBackend.GEMM_PROPERTY);
            } else {
                System.setProperty(CudaBackend.GEMM_PROPERTY, old);
            }
        }
    }
}
