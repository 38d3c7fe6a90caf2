package org.wegeft.kernels.io;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** Process ids for tests: one of a process that has exited, one of a process that is still running. */
public final class DeadProcess {
    private DeadProcess() {
    }

    /** The id of a child process that has exited (and been reaped). */
    public static long pid() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("true").start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("'true' did not exit");
        }
        long pid = p.pid();
        if (ProcessHandle.of(pid).isPresent()) {
            throw new IllegalStateException("process " + pid + " is still listed after exiting");
        }
        return pid;
    }
}
