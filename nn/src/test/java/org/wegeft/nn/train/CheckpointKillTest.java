package org.wegeft.nn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training process killed with SIGKILL in the middle of a checkpoint write leaves the previous one loadable, and the
 * resumed run's next checkpoint write removes the killed one's temporary folder.
 */
class CheckpointKillTest {
    @Test
    void sigkillDuringACheckpointWriteLeavesThePreviousCheckpointLoadableAndTheNextWriteCleansUp(@TempDir Path dir)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                CheckpointKillChild.class.getName(), dir.toString()));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> seen = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                seen.add(line);
                if (line.equals("mid-write 3")) {
                    child.destroyForcibly(); // SIGKILL on POSIX: no shutdown hooks, no finally blocks
                    break;
                }
            }
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not exit");
        }
        assertTrue(seen.contains("mid-write 3"), "child output: " + seen);
        assertEquals(137, child.exitValue(), "killed by SIGKILL (128 + 9)");

        List<String> names;
        try (var s = Files.list(dir)) {
            names = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        String stale = ".checkpoint-3.wegeft-tmp-" + child.pid() + "-";
        assertTrue(names.stream().anyMatch(n -> n.startsWith(stale)),
                "the half-written checkpoint is left in a hidden temporary folder named for its process: " + names);
        assertFalse(names.contains("checkpoint-3"), "no half-written checkpoint under the final name: " + names);
        Path latest = Checkpoint.latest(dir).orElseThrow();
        assertEquals(dir.resolve("checkpoint-2"), latest);
        assertEquals(2, Checkpoint.readState(latest).step());
        float[] losses = ResumeAndFaultsTest.trainer(ResumeAndFaultsTest.mlpWithDropout(1),
                ResumeAndFaultsTest.config().withOutput(dir, 12), ResumeAndFaultsTest::loss).resumeFrom(latest).run()
                .losses();
        assertEquals(22, losses.length);
        for (float l : losses) {
            assertTrue(Float.isFinite(l));
        }
        try (var s = Files.list(dir)) {
            List<String> after = s.map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(after.contains("checkpoint-12"), "the resumed run wrote a checkpoint: " + after);
            assertTrue(after.stream().noneMatch(n -> n.startsWith(".")), "no hidden leftover: " + after);
        }
    }
}
