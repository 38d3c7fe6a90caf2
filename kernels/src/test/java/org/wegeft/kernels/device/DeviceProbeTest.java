package org.wegeft.kernels.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.wegeft.kernels.Availability;

class DeviceProbeTest {
    @Test
    void foundPartsAreAvailableWithTheirDescription() {
        DeviceProbe<String> p = new DeviceProbe.Found<>("parts", "device 0:0 (driver 3.1)");
        Availability a = p.availability();
        assertTrue(a.available());
        assertEquals("device 0:0 (driver 3.1)", a.reason());
        assertEquals("parts", p.partsOrThrow(IllegalStateException::new));
    }

    @Test
    void unavailablePartsGiveTheReasonAndTheCallersException() {
        DeviceProbe<String> p = new DeviceProbe.Unavailable<>("no ICD loader");
        Availability a = p.availability();
        assertFalse(a.available());
        assertEquals("no ICD loader", a.reason());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> p.partsOrThrow(reason -> new IllegalStateException("backend: " + reason)));
        assertEquals("backend: no ICD loader", e.getMessage());
    }
}
