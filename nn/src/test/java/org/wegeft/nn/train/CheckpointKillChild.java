package org.wegeft.nn.train;

import java.nio.file.Path;

/**
 * Child JVM of {@link CheckpointKillTest}: trains with a checkpoint after every step; the write hook announces
 * each write on stdout ("mid-write N") and, from the third write on, pauses inside it until the parent kills
 * the process.
 */
public final class CheckpointKillChild {
    private CheckpointKillChild() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        int[] writes = {0};
        Checkpoint.WRITE_HOOK = () -> {
            writes[0]++;
            System.out.println("mid-write " + writes[0]);
            System.out.flush();
            if (writes[0] >= 3) {
                try {
                    Thread.sleep(60_000); // the parent kills us here, half-way through checkpoint-3
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        ResumeAndFaultsTest.trainer(ResumeAndFaultsTest.mlpWithDropout(1), ResumeAndFaultsTest.config()
                .withOutput(out, 1), ResumeAndFaultsTest::loss).run();
        System.out.println("finished without being killed");
    }
}
