package org.wegeft.kernels.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputLockTest {
    @TempDir
    Path dir;

    @Test
    void aSecondWriterIsRefusedAndTheLockFileGoesAtClose() throws Exception {
        Path out = dir.resolve("run");
        Path file = OutputLock.fileFor(out);
        assertEquals(dir.resolve(".run.wegeft-lock").toAbsolutePath(), file);
        try (OutputLock first = OutputLock.acquire(out, "wegeft llm train")) {
            assertTrue(Files.readString(file).contains("pid=" + ProcessHandle.current().pid()));
            OutputInUseException e = assertThrows(OutputInUseException.class, () -> OutputLock.acquire(out, "again"));
            assertTrue(e.getMessage().startsWith("output folder " + out.toAbsolutePath() + " is in use by process "
                    + ProcessHandle.current().pid() + " (wegeft llm train"), e.getMessage());
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        }
        assertFalse(Files.exists(file), "removed at close");
        OutputLock.acquire(out, "next").close();
    }

    @Test
    void theLockOfAProcessThatIsGoneIsTakenOverAndThatOfARunningOneIsNot() throws Exception {
        Path out = dir.resolve("merged");
        Path file = OutputLock.fileFor(out);
        long dead = DeadProcess.pid();
        Files.writeString(file, "pid=" + dead + "\nstart=\nhost=\ncommand=wegeft merge\n");
        try (LogLines log = new LogLines(OutputLock.class); OutputLock lock = OutputLock.acquire(out, "wegeft merge")) {
            assertEquals(1, log.lines().size(), log.lines().toString());
            assertTrue(log.lines().getFirst().contains("took over " + file + " from process " + dead),
                    log.lines().toString());
        }
        // a running process that holds no OS lock (as on a file system without locks): its id alone refuses
        long parent = ProcessHandle.current().parent().orElseThrow().pid();
        Files.writeString(file, "pid=" + parent + "\ncommand=other\n");
        OutputInUseException e = assertThrows(OutputInUseException.class, () -> OutputLock.acquire(out, "x"));
        assertTrue(e.getMessage().contains("process " + parent + " (other)"), e.getMessage());
        // the same id with another start time is a reused id: the owner is gone
        Files.writeString(file, "pid=" + parent + "\nstart=2001-01-01T00:00:00Z\ncommand=other\n");
        OutputLock.acquire(out, "x").close();
    }

    @Test
    void anotherProcessHoldingTheLockRefusesUsUntilItIsKilled() throws Exception {
        Path out = dir.resolve("out");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(List.of(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                OutputLockHolder.class.getName(), out.toString())).redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line = r.readLine();
            assertTrue(line != null && line.startsWith("locked "), "child said: " + line);
            OutputInUseException e = assertThrows(OutputInUseException.class,
                    () -> OutputLock.acquire(out, "wegeft merge"));
            assertTrue(e.getMessage().contains("process " + child.pid() + " (holder)"), e.getMessage());
        } finally {
            child.destroyForcibly(); // SIGKILL: the lock file stays behind
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(Files.exists(OutputLock.fileFor(out)));
        OutputLock.acquire(out, "wegeft merge").close();
    }
}
