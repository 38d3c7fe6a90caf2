package org.wegeft.cli.vit;

import java.io.IOException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.wegeft.distributed.DistributedResult;
import org.wegeft.distributed.VitFineTuneJob;
import org.wegeft.distributed.SparkRun;
import org.wegeft.nn.data.ArrowDataset;
import org.wegeft.peft.FineTuningMethod;
import org.wegeft.peft.FineTuningMethods;
import org.wegeft.vision.train.Accuracy;
import org.wegeft.vision.train.FineTuneResult;
import org.wegeft.vision.train.FineTuner;
import org.wegeft.vision.train.VitData;

/**
 * The {@code --spark-master} branch of {@code wegeft vit train}: the training runs as a {@link SparkRun} on
 * {@code replicas} barrier tasks; the driver then loads the trained parameters into its own copy of the model,
 * evaluates it and saves it like the single-machine run. Kept apart from {@link VitTrainCommand} so that Spark
 * classes are loaded only when the flag is given.
 */
final class VitSparkRun {
    private VitSparkRun() {
    }

    static FineTuneResult run(String master, int replicas, VitFineTuneJob job, ArrowDataset evalDs, String imageColumn,
            String labelColumn, int workers, boolean progress, @Nullable Path saveTo) throws IOException {
        SparkRun.Outcome o = SparkRun.run("wegeft vit train", master, replicas, job, progress);
        DistributedResult r = o.result();
        double seconds = o.seconds();
        FineTuningMethod m = FineTuningMethods.named(job.method());
        FineTuner.Prepared p = FineTuner.prepare(Path.of(job.modelDir()), m, job.classes(), job.rank(), job.targets(),
                job.seed());
        r.loadInto(p.model().module());
        Accuracy acc = VitData.evaluate(p.model(), VitData.Rows.all(evalDs), imageColumn, labelColumn, workers);
        if (saveTo != null) {
            p.save(m, saveTo);
        }
        var report = p.peft().trainableReport();
        long steps = r.startStep() + r.losses().length;
        long images = steps * job.batch();
        return new FineTuneResult(m.name(), report.trainable(), report.total(), acc.accuracy(), acc.count(), seconds, -1,
                job.recipe().lr(), steps, images / Math.max(1e-9, seconds), job.recipe().seed(), -1, -1);
    }
}
