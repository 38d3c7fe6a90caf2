package org.wegeft.cli.llm;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.wegeft.cli.ResumeCheckpoint;
import org.wegeft.distributed.CausalLmJob;
import org.wegeft.distributed.DistributedResult;
import org.wegeft.distributed.SparkRun;
import org.wegeft.llm.Quantization;
import picocli.CommandLine.ParameterException;

/**
 * {@code llm train --spark-master}: the flags checked and turned into a {@link CausalLmJob}, run on Spark; rank 0
 * writes the adapter (or model folder), the metrics and the checkpoints to {@code --out}. Kept apart from
 * {@link LlmTrainCommand} so that Spark classes are loaded only when the flag is given.
 */
final class LlmSparkLaunch {
    private LlmSparkLaunch() {
    }

    static int run(LlmTrainCommand c, @Nullable Path resumeFrom, @Nullable Quantization quantization)
            throws IOException {
        String master = c.sparkMaster;
        if (master == null) {
            throw new IllegalStateException("LlmSparkLaunch without --spark-master");
        }
        if (resumeFrom != null) {
            throw new ParameterException(c.spec.commandLine(), "--resume is not used with --spark-master: a run resumes"
                    + " by itself from the latest checkpoint in <--out>/" + ResumeCheckpoint.FOLDER);
        }
        if (quantization != null) {
            throw new ParameterException(c.spec.commandLine(), "--quantize is not used with --spark-master yet: the"
                    + " replicas load the model folder as it is stored");
        }
        if (c.replicas > c.batch) {
            throw new ParameterException(c.spec.commandLine(), "--replicas " + c.replicas + " is more than --batch "
                    + c.batch + ": every replica needs rows of each batch");
        }
        long t0 = System.nanoTime();
        Path out = c.out.toAbsolutePath();
        Files.createDirectories(out);
        CausalLmJob job = new CausalLmJob(c.trainSpec(true), out, c.trainerDir().toAbsolutePath(), c.checkpoints.every);
        SparkRun.Outcome o = SparkRun.run("wegeft llm train", master, c.replicas, job, true);
        DistributedResult r = o.result();
        PrintWriter stdout = c.spec.commandLine().getOut();
        stdout.printf(Locale.ROOT, "method %s on %d replicas: %d steps (%s)%n", c.method, o.replicas(),
                r.startStep() + r.losses().length, r.startStep() > 0 ? "resumed from step " + r.startStep()
                        : "from the start");
        c.printLoss(r.losses(), t0);
        return 0;
    }
}
