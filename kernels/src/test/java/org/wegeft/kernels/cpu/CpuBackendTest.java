package org.wegeft.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.wegeft.kernels.Availability;
import org.wegeft.kernels.Backends;
import org.wegeft.kernels.KernelBackend;
import org.wegeft.kernels.Parallel;

class CpuBackendTest {

    @Test
    void cpuBackendIsDiscoveredAndAvailableWithTheVectorModule() {
        KernelBackend b = Backends.byName("cpu");
        assertEquals(CpuBackend.class, b.getClass());
        assertEquals(100, b.priority());
        Availability a = b.availability();
        assertTrue(a.available(), a.reason());
        assertTrue(a.reason().contains(CpuVec.L + " lanes"), a.reason());
        assertTrue(a.reason().contains(Parallel.threads() + " threads"), a.reason());
    }

    /** Prints the availability of a CpuBackend; run in a child JVM without the Vector API module. */
    public static final class Probe {
        public static void main(String[] args) {
            Availability a = new CpuBackend().availability();
            System.out.println(a.available() + "|" + a.reason());
        }
    }

    @Test
    void withoutTheVectorModuleTheBackendLoadsAndSaysHowToEnableIt() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                Probe.class.getName())).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.exitValue(), out);
        String last = out.lines().reduce((x, y) -> y).orElse("");
        assertFalse(Boolean.parseBoolean(last.substring(0, Math.max(0, last.indexOf('|')))), out);
        assertTrue(last.contains("--add-modules jdk.incubator.vector"), out);
    }
}
