package org.wegeft.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.kernels.Availability;
import org.wegeft.kernels.Backends;
import org.wegeft.kernels.KernelBackend;
import org.wegeft.kernels.device.DeviceProbe;

/**
 * Finding OpenCL: a missing loader or CLBlast makes the backend unavailable with the reason (and changes nothing
 * else); {@code WEGEFT_OPENCL_DEVICE} picks a device or says why it cannot.
 */
class OpenClAvailabilityTest {

    @Test
    void backendIsDiscoveredWithItsNameAndPriority() {
        KernelBackend ocl = Backends.all().stream().filter(b -> b.name().equals("opencl")).findFirst().orElseThrow();
        assertEquals(150, ocl.priority());
        assertFalse(ocl.hostAccessible());
        Availability a = ocl.availability();
        System.out.println("opencl: " + (a.available() ? "available: " : "unavailable: ") + a.reason());
        assertFalse(a.reason().isBlank(), "availability must say why");
    }

    @Test
    void missingLoaderMakesItUnavailableWithTheReason(@TempDir Path dir) {
        String missing = dir.resolve("libOpenCL.so.1").toString();
        DeviceProbe<OpenClRuntime.Ready> p = OpenClRuntime.probe(Map.of(OpenClRuntime.LIB_ENV, missing)::get);
        DeviceProbe.Unavailable<?> u = assertInstanceOf(DeviceProbe.Unavailable.class, p);
        assertTrue(u.reason().startsWith(OpenClRuntime.LIB_ENV + "=" + missing + ": no such file"), u.reason());
        assertTrue(u.reason().contains("pocl-opencl-icd"), u.reason());
    }

    @Test
    void missingClBlastMakesItUnavailableWithTheReason(@TempDir Path dir) {
        DeviceProbe<OpenClRuntime.Ready> p = OpenClRuntime.probe(Map.of(OpenClRuntime.CLBLAST_ENV,
                dir.resolve("libclblast.so.1").toString())::get);
        if (p instanceof DeviceProbe.Unavailable<?> u && u.reason().contains("OpenCL")
                && !u.reason().contains(OpenClRuntime.CLBLAST_ENV)) {
            System.out.println("opencl: no OpenCL device here, the CLBlast check is not reached: " + u.reason());
            return;
        }
        DeviceProbe.Unavailable<?> u = assertInstanceOf(DeviceProbe.Unavailable.class, p);
        assertTrue(u.reason().contains(OpenClRuntime.CLBLAST_ENV) && u.reason().contains("libclblast1"), u.reason());
    }

    @Test
    void aBadDeviceChoiceIsRefusedWithTheVariableAndTheDevicesFound() {
        DeviceProbe<OpenClRuntime.Ready> p = OpenClRuntime.probe(Map.of(DeviceSelection.ENV, "7:9")::get);
        DeviceProbe.Unavailable<?> u = assertInstanceOf(DeviceProbe.Unavailable.class, p);
        assertTrue(u.reason().startsWith(DeviceSelection.ENV + "=7:9: ") || u.reason().contains("OpenCL"),
                u.reason());
    }

    @Test
    void deviceSelectionPrefersAGpuAndHonoursTheVariable() {
        List<DeviceSelection.Listed> devices = List.of(new DeviceSelection.Listed(0, 0, false),
                new DeviceSelection.Listed(1, 0, true), new DeviceSelection.Listed(1, 1, true));
        String[] why = new String[1];
        assertEquals(Optional.of(1), DeviceSelection.choose(null, devices, why));
        assertEquals(Optional.of(2), DeviceSelection.choose("1:1", devices, why));
        assertEquals(Optional.of(0), DeviceSelection.choose(" 0:0 ", devices, why));
        assertEquals(Optional.empty(), DeviceSelection.choose("2:0", devices, why));
        assertEquals("WEGEFT_OPENCL_DEVICE=2:0: no such device; found [0:0, 1:0, 1:1]", why[0]);
        assertEquals(Optional.empty(), DeviceSelection.choose("gpu", devices, why));
        assertTrue(why[0].contains("expected platform:device"), why[0]);
        assertEquals(Optional.of(0), DeviceSelection.choose(null, devices.subList(0, 1), why));
    }

    @Test
    void addressesMapBackToTheirBufferAndOffset() {
        DeviceMemory m = new DeviceMemory();
        java.lang.foreign.MemorySegment m1 = java.lang.foreign.MemorySegment.ofAddress(0x1000);
        java.lang.foreign.MemorySegment m2 = java.lang.foreign.MemorySegment.ofAddress(0x2000);
        long a = m.allocate(100, bytes -> m1);
        long b = m.allocate(0, bytes -> m2);
        assertEquals(new DeviceMemory.Location(m1, 0), m.find(a));
        assertEquals(new DeviceMemory.Location(m1, 100), m.find(a + 100)); // the end of a buffer (empty slices)
        assertEquals(new DeviceMemory.Location(m2, 0), m.find(b));
        assertThrows(IllegalArgumentException.class, () -> m.find(a + 101));
        assertThrows(IllegalArgumentException.class, () -> m.find(12345));
        assertEquals(m1, m.free(a));
        assertThrows(IllegalArgumentException.class, () -> m.free(a));
        assertThrows(IllegalArgumentException.class, () -> m.find(a));
    }

    @Test
    void unavailableBackendIsRefusedByNameWithTheReason() {
        KernelBackend ocl = Backends.all().stream().filter(b -> b.name().equals("opencl")).findFirst().orElseThrow();
        if (ocl.availability().available()) {
            System.out.println("opencl: available here; the refusal path is covered by the probe tests above");
            return;
        }
        var e = assertThrows(org.wegeft.kernels.BackendUnavailableException.class, () -> Backends.byName("opencl"));
        assertTrue(e.getMessage().contains(ocl.availability().reason()), e.getMessage());
    }
}
