package org.wegeft.kernels.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The shared kernel sources against the Java side that launches them: every (module, kernel) pair that
 * {@link DeviceKernelBackend} launches, and so both the CUDA and the OpenCL backend, is defined in that module's
 * source; each kernel is defined once; and each dialect's source is self-contained.
 */
class DeviceKernelSourcesTest {
    private static final Pattern LAUNCH = Pattern.compile("launch\\(\"(\\w+)\", \"(\\w+)\"");

    /** (module, kernel) pairs read from DeviceKernelBackend's source. */
    private static List<String[]> launched() throws IOException {
        Path source = Path.of("src/main/java/org/wegeft/kernels/device/DeviceKernelBackend.java");
        List<String[]> out = new ArrayList<>();
        Matcher m = LAUNCH.matcher(Files.readString(source));
        while (m.find()) {
            out.add(new String[] {m.group(1), m.group(2)});
        }
        return out;
    }

    @Test
    void everyLaunchedKernelIsDefinedInItsModule() throws IOException {
        List<String[]> launched = launched();
        assertTrue(launched.size() >= 25, "found only " + launched.size() + " launches in DeviceKernelBackend");
        for (String[] l : launched) {
            assertTrue(DeviceKernelSources.MODULES.contains(l[0]), "launch of unknown module " + l[0]);
            assertTrue(DeviceKernelSources.entryPoints(l[0]).contains(l[1]),
                    l[0] + ".c does not define kernel " + l[1] + "; it defines " + DeviceKernelSources.entryPoints(l[0]));
        }
    }

    @Test
    void everyDefinedKernelIsLaunchedAndDefinedOnce() throws IOException {
        Set<String> launched = new HashSet<>();
        for (String[] l : launched()) {
            launched.add(l[0] + "/" + l[1]);
        }
        Set<String> seen = new HashSet<>();
        for (String module : DeviceKernelSources.MODULES) {
            for (String kernel : DeviceKernelSources.entryPoints(module)) {
                assertTrue(seen.add(kernel), kernel + " is defined twice");
                assertTrue(launched.contains(module + "/" + kernel), module + "/" + kernel + " is never launched");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceKernelSources.Dialect.class)
    void eachDialectSourceIsSelfContained(DeviceKernelSources.Dialect dialect) {
        for (String module : DeviceKernelSources.MODULES) {
            String src = DeviceKernelSources.read(module, dialect);
            assertFalse(src.contains("#include"), module + " has an #include the runtime compiler cannot resolve");
            assertEquals(1, src.split("DEVICE float block_sum\\(", -1).length - 1, module);
            assertTrue(src.contains("#define KERNEL"), module + " lacks the dialect header");
        }
    }
}
