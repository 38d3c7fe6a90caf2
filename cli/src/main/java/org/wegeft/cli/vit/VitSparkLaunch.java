package org.wegeft.cli.vit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.wegeft.cli.FlagCheck;
import org.wegeft.cli.ResumeCheckpoint;
import org.wegeft.distributed.VitFineTuneJob;
import org.wegeft.nn.data.ArrowDataset;
import org.wegeft.peft.FineTuningMethod;
import org.wegeft.vision.train.FineTuneResult;
import org.wegeft.vision.train.Recipe;
import org.wegeft.vision.train.VitData;
import picocli.CommandLine.ParameterException;

/** {@code vit train --spark-master}: the flags checked and turned into a {@link VitFineTuneJob}, then run. */
final class VitSparkLaunch {
    private VitSparkLaunch() {
    }

    static FineTuneResult runOnSpark(VitTrainCommand c, FineTuningMethod m, Recipe recipe, ArrowDataset trainDs,
            ArrowDataset evalDs,            @Nullable Path resumeFrom) throws IOException {
        FlagCheck.atLeast(c.spec, "--replicas", c.replicas, 0);
        if (c.replicas > 0 && c.batch % c.replicas != 0) {
            throw new ParameterException(c.spec.commandLine(), "--batch " + c.batch
                    + " is not a multiple of --replicas " + c.replicas);
        }
        if (resumeFrom != null) {
            throw new ParameterException(c.spec.commandLine(), "--resume is not used with --spark-master: a run resumes"
                    + " by itself from the latest checkpoint in <--out>/" + ResumeCheckpoint.FOLDER);
        }
        int classes = Math.max(trainDs.numClasses(c.columns.label), evalDs.numClasses(c.columns.label));
        int rows = VitData.Rows.all(trainDs).size();
        int bs = Math.min(c.batch, Math.max(1, rows));
        Path abs = c.out == null ? null : c.out.toAbsolutePath();
        VitFineTuneJob job = new VitFineTuneJob(c.model.toAbsolutePath().toString(),
                c.train.toAbsolutePath().toString(), c.columns.image, c.columns.label, m.name(), c.rank,
                List.copyOf(c.targets), classes,
                c.epochs, c.steps, c.batch, recipe.lr(), c.seed, c.workers, Math.max(1, rows / bs),
                abs != null && c.checkpoints.every > 0 ? ResumeCheckpoint.folderOf(abs).toString() : null,
                c.checkpoints.every,                abs == null ? null : abs.resolve("metrics.jsonl").toString());
        if (abs != null) {
            Files.createDirectories(abs);
        }
        return VitSparkRun.run(c.sparkMaster, c.replicas, job, evalDs, c.columns.image, c.columns.label, c.workers,
                !c.noProgress, c.out);
    }
}
