package org.wegeft.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.wegeft.kernels.scalar.ScalarBackend;

/** Default selection: which backend runs when none is asked for, and the warning when a better one cannot run. */
class BackendSelectionTest {
    /** The scalar kernels under another name, priority, availability and default-selection flag. */
    static final class Stand extends DelegatingBackend {
        private final int priority;
        private final Availability availability;
        private final boolean byDefault;

        Stand(String name, int priority, Availability availability, boolean byDefault) {
            super(name, new ScalarBackend());
            this.priority = priority;
            this.availability = availability;
            this.byDefault = byDefault;
        }

        @Override
        public int priority() {
            return priority;
        }

        @Override
        public Availability availability() {
            return availability;
        }

        @Override
        public boolean chosenByDefault() {
            return byDefault;
        }
    }

    static final KernelBackend SCALAR = new Stand("scalar", 0, Availability.yes("reference"), true);

    @Test
    void anAvailableDeviceBackendNotChosenByDefaultIsPassedOver() {
        KernelBackend cuda = new Stand("cuda", 200, Availability.yes("one GPU"), false);
        KernelBackend cpu = new Stand("cpu", 100, Availability.yes("Vector API"), true);
        List<String> warnings = new ArrayList<>();
        assertSame(cpu, Backends.chooseByDefault(List.of(cuda, cpu, SCALAR), (l, m) -> warnings.add(m)));
        assertEquals(List.of(), warnings, "nothing to warn about: cuda runs when asked for");
    }

    @Test
    void theCpuBackendWithoutTheVectorApiWarnsOnceNamingTheFlag() {
        KernelBackend cpu = new Stand("cpu", 100, Availability.no("the Vector API is missing: start the JVM with "
                + "--add-modules jdk.incubator.vector"), true);
        List<String> warnings = new ArrayList<>();
        assertSame(SCALAR, Backends.chooseByDefault(List.of(cpu, SCALAR), (l, m) -> warnings.add(l + " " + m)));
        assertEquals(1, warnings.size(), warnings.toString());
        String w = warnings.getFirst();
        assertTrue(w.startsWith("WARNING") && w.contains("'cpu'") && w.contains("--add-modules jdk.incubator.vector")
                && w.contains("'scalar'"), w);
    }
}
