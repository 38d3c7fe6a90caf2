package org.wegeft.kernels.io;

import java.nio.file.Path;

/** Child JVM of {@link OutputLockTest}: takes the lock of a folder, says so, and waits to be killed. */
public final class OutputLockHolder {
    private OutputLockHolder() {
    }

    public static void main(String[] args) throws Exception {
        OutputLock lock = OutputLock.acquire(Path.of(args[0]), "holder");
        System.out.println("locked " + lock.file());
        System.out.flush();
        Thread.sleep(60_000); // the parent kills us here
    }
}
