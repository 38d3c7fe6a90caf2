package org.wegeft.cli.vit;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.wegeft.cli.FlagCheck;
import org.wegeft.nn.data.ArrowDataset;
import org.wegeft.nn.data.DataLoader;
import org.wegeft.nn.train.Trainer;
import org.wegeft.vision.data.ImageBatch;
import org.wegeft.vision.train.Classification;
import org.wegeft.vision.train.FineTuner;
import org.wegeft.vision.train.Recipe;
import org.wegeft.vision.train.VitData;
import org.wegeft.vision.train.VitFineTuning;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wegeft bench data-vs-train}: in one run, the images per second the demo's data loader delivers alone
 * (decode + resize + normalise + collate, shuffled, {@code --workers} threads, nothing consuming the batches) and
 * the images per second WeGeFT training consumes with the same loader (the demo's model, rank and targets).
 * Prints one JSON line with both and their ratio.
 */
@Command(name = "data-vs-train", mixinStandardHelpOptions = true,
        description = "Data loading vs WeGeFT training throughput (images/s) side by side; one JSON line.")
public final class BenchDataVsTrainCommand implements Callable<Integer> {
    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Option(names = "--method", defaultValue = "wegeft", description = "fine-tuning method of the timed steps "
            + "(default: ${DEFAULT-VALUE})")
    String method = "wegeft";

    @Mixin
    DemoVitModel model = new DemoVitModel();

    @Option(names = "--data", defaultValue = "examples/data/digits-train.arrow", paramLabel = "FILE", description = "default: ${DEFAULT-VALUE}")
    Path data = Path.of("examples/data/digits-train.arrow");

    @Option(names = "--batch", defaultValue = "64", description = "default: ${DEFAULT-VALUE}")
    int batch = 64;

    @Option(names = "--workers", defaultValue = "1", description = "loader threads, as the demo (default: ${DEFAULT-VALUE})")
    int workers = 1;

    @Option(names = "--load-epochs", defaultValue = "5", description = "epochs timed for loading (default: ${DEFAULT-VALUE})")
    int loadEpochs = 5;

    @Option(names = "--train-steps", defaultValue = "45", description = "steps timed for training (default: ${DEFAULT-VALUE})")
    int trainSteps = 45;

    @Override
    public Integer call() {
        FlagCheck.atLeast(spec, "--batch", batch, 1);
        FlagCheck.atLeast(spec, "--workers", workers, 0);
        FlagCheck.atLeast(spec, "--load-epochs", loadEpochs, 1);
        FlagCheck.atLeast(spec, "--train-steps", trainSteps, 1);
        Path folder = model.checked();
        ArrowDataset ds = VitData.open("--data", data, "image", "label");
        var prepared = FineTuner.prepare(folder, FlagCheck.method(spec, "--method", method), ds.numClasses("label"), 16,
                List.of("attn.proj"), 0);
        var pipeline = VitData.plain(prepared.model().input());
        long loaded = 0;
        double loadSeconds;
        try (DataLoader<ImageBatch> loader = VitData.trainLoader(ds, "image", "label", pipeline, batch, 0, workers)) {
            drain(loader, 0); // warm-up (class loading, JIT)
            long t0 = System.nanoTime();
            for (int e = 1; e <= loadEpochs; e++) {
                loaded += drain(loader, e);
            }
            loadSeconds = (System.nanoTime() - t0) / 1e9;
        }
        double trainSeconds;
        long trained;
        try (DataLoader<ImageBatch> loader = VitData.trainLoader(ds, "image", "label", pipeline, batch, 0, workers)) {
            Recipe warm = VitFineTuning.recipe(1, 3, batch, 5e-3, 0);
            new Trainer<>(prepared.model().module(), warm.trainConfig(loader.batchesPerEpoch(), 1),
                    Classification.loss(0f), loader.asBatchSource(b -> b, ImageBatch::batchSize))
                    .progress(null, false).run();
            Recipe r = VitFineTuning.recipe(1, trainSteps, batch, 5e-3, 0);
            var trainer = new Trainer<>(prepared.model().module(), r.trainConfig(loader.batchesPerEpoch(), 1),
                    Classification.loss(0f), loader.asBatchSource(b -> b, ImageBatch::batchSize))
                    .progress(null, false);
            long t0 = System.nanoTime();
            trainer.run();
            trainSeconds = (System.nanoTime() - t0) / 1e9;
            trained = (long) trainSteps * Math.min(batch, ds.size());
        }
        double loadRate = loaded / loadSeconds;
        double trainRate = trained / trainSeconds;
        ObjectNode o = JsonMapper.builder().build().createObjectNode();
        o.put("bench", "data-vs-train");
        o.put("loading_images_per_second", Math.round(loadRate * 10) / 10.0);
        o.put("training_images_per_second", Math.round(trainRate * 10) / 10.0);
        o.put("ratio", Math.round(loadRate / trainRate * 100) / 100.0);
        o.put("method", method);
        o.put("workers", workers);
        o.put("batch", batch);
        o.put("image_size", pipeline.size());
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println(o);
        stdout.flush();
        return 0;
    }

    private static long drain(DataLoader<ImageBatch> loader, int epoch) {
        long n = 0;
        try (var it = loader.epoch(epoch, 0)) {
            while (it.hasNext()) {
                n += it.next().batchSize();
            }
        }
        return n;
    }
}
