package org.wegeft.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The CPU kernels give the same bits whichever JIT tier runs them: {@link TierHashes} is run in a child JVM
 * once interpreter-only ({@code -Xint}) and once with C2 compiling after a few calls (the warmed-up runs then
 * execute the intrinsified Vector-API code), and every kernel's output hashes must agree, first repetition
 * and last. The JDK's lanewise EXP/LOG/TANH and reduceLanes(ADD) fail this.
 */
class CpuTierDeterminismTest {
    private static final long TIMEOUT_S = 120;

    private static Map<String, String> run(int reps, String... flags) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow(
                () -> new IllegalStateException("cannot find this JVM's java binary to start a child JVM")));
        cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Dwegeft.threads=2"));
        cmd.addAll(List.of(flags));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), TierHashes.class.getName(),
                Integer.toString(reps)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try (var in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("child JVM " + cmd + " ran over " + TIMEOUT_S + " s");
        }
        assertEquals(0, p.exitValue(), () -> "child JVM " + String.join(" ", flags) + " failed:\n" + out);
        Map<String, String> hashes = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length == 3 && (f[0].startsWith("unary.") || Character.isLowerCase(f[0].charAt(0)))
                    && f[1].matches("-?\\d+")) {
                hashes.put(f[0] + " first", f[1]);
                hashes.put(f[0] + " last", f[2]);
            }
        }
        assertFalse(hashes.isEmpty(), () -> "child JVM " + String.join(" ", flags) + " printed no hashes:\n" + out);
        return hashes;
    }

    @Test
    void interpreterAndC2GiveIdenticalBitsForEveryKernel() throws Exception {
        Map<String, String> interpreted = run(1, "-Xint");
        Map<String, String> compiled = run(60, "-XX:-TieredCompilation", "-XX:CompileThreshold=20", "-Xbatch");
        List<String> differ = new ArrayList<>();
        for (var e : interpreted.entrySet()) {
            String name = e.getKey().replace(" first", "");
            if (e.getKey().endsWith(" first") && !e.getValue().equals(compiled.get(name + " last"))) {
                differ.add(name);
            }
        }
        for (var e : compiled.entrySet()) {
            String name = e.getKey().replace(" first", "");
            if (e.getKey().endsWith(" first") && !e.getValue().equals(compiled.get(name + " last"))
                    && !differ.contains(name)) {
                differ.add(name + " (within the JIT run)");
            }
        }
        assertEquals(interpreted.size(), compiled.size(), "kernel lists differ: " + interpreted.keySet()
                + " vs " + compiled.keySet());
        assertEquals(List.of(), differ, "kernels whose bits depend on the JIT tier");
    }
}
