package org.wegeft.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.wegeft.kernels.device.DeviceKernelSources;

/**
 * Every shared kernel module, in its CUDA dialect, compiles to PTX with the local {@code nvcc --ptx -arch=compute_90}
 * (the same front end as NVRTC), and every kernel it defines is exported from it under its C name (the kernels
 * module's DeviceKernelSourcesTest checks that every launched kernel is defined). Skipped, with the reason printed,
 * where no nvcc is installed.
 */
class CudaKernelSourcesCompileTest {
    static List<String> modules() {
        return DeviceKernelSources.MODULES;
    }

    static Optional<Path> nvcc() {
        List<Path> candidates = new ArrayList<>();
        String home = System.getenv("CUDA_HOME");
        if (home != null) {
            candidates.add(Path.of(home, "bin", "nvcc"));
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, "nvcc"));
            }
        }
        candidates.add(Path.of("/usr/local/cuda/bin/nvcc"));
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    @ParameterizedTest
    @MethodSource("modules")
    void moduleCompilesToPtxAndExportsItsKernels(String module, @TempDir Path dir) throws Exception {
        Optional<Path> nvcc = nvcc();
        if (nvcc.isEmpty()) {
            String reason = "cuda: skipped compiling " + module + ".cu: no nvcc on PATH, in CUDA_HOME/bin or "
                    + "/usr/local/cuda/bin";
            System.out.println(reason);
            Assumptions.abort(reason);
        }
        Path src = dir.resolve(module + ".cu");
        Files.writeString(src, DeviceKernelSources.read(module, DeviceKernelSources.Dialect.CUDA));
        Path ptx = dir.resolve(module + ".ptx");
        Process p = new ProcessBuilder(nvcc.get().toString(), "--ptx", "-arch=compute_90", "-o", ptx.toString(),
                src.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "nvcc timed out on " + module + ".cu");
        assertEquals(0, p.exitValue(), module + ".cu does not compile:\n" + log);
        String text = Files.readString(ptx);
        for (String kernel : DeviceKernelSources.entryPoints(module)) {
            assertTrue(text.contains(".entry " + kernel + "("), module + ".cu does not export kernel " + kernel);
        }
    }
}
