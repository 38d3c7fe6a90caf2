package org.wegeft.cli.vit;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.wegeft.cli.FlagCheck;
import org.wegeft.kernels.io.AtomicFiles;
import org.wegeft.kernels.io.OutputLock;
import org.wegeft.nn.data.ArrowDataset;
import org.wegeft.vision.VisionTransformer;
import org.wegeft.vision.VitConfig;
import org.wegeft.vision.train.Accuracy;
import org.wegeft.vision.train.Recipe;
import org.wegeft.vision.train.VitData;
import org.wegeft.vision.train.VitPretraining;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code wegeft vit pretrain --data DIR|FILE --out DIR}: trains a small ViT from scratch on an image
 * classification set (Fashion-MNIST by default: 28×28 grayscale, replicated to 3 channels) with AdamW, warm-up +
 * cosine, label smoothing and random-resized-crop + flip augmentation; reproducible from {@code --seed}. Writes
 * {@code model.safetensors}, {@code config.json}, {@code train_log.jsonl} (the trainer's metrics) and
 * {@code eval.json} (test accuracies, time, the settings).
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Pretrains a small ViT from scratch on an Arrow image set (Fashion-MNIST by default).")
public final class VitPretrainCommand implements Callable<Integer> {
    static final List<String> FASHION_LABELS = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "DIR|FILE",
            description = "training Arrow file, or a folder with fashion-mnist-train.arrow (+ fashion-mnist-test.arrow)")
    @SuppressWarnings("NullAway.Init")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output model folder")
    @SuppressWarnings("NullAway.Init")
    Path out;

    @Option(names = "--test", paramLabel = "FILE", description = "test Arrow file (default: DIR/fashion-mnist-test.arrow when --data is a folder holding one)")
    @Nullable Path test;

    @Option(names = "--sample-test", paramLabel = "FILE", defaultValue = "examples/data/fashion-mnist-test-1k.arrow",
            description = "a second, small test file (default: ${DEFAULT-VALUE}; skipped when absent)")
    Path sampleTest = Path.of("examples/data/fashion-mnist-test-1k.arrow");

    @Option(names = "--epochs", defaultValue = "1", description = "passes over the training set (default: ${DEFAULT-VALUE})")
    int epochs = 1;

    @Option(names = "--steps", defaultValue = "0", description = "optimizer steps instead of epochs (default: by epochs)")
    long steps;

    @Option(names = "--batch", defaultValue = "128", description = "images per step (default: ${DEFAULT-VALUE})")
    int batch = 128;

    @Option(names = "--lr", defaultValue = "2e-3", description = "peak learning rate (default: ${DEFAULT-VALUE})")
    double lr = 2e-3;

    @Option(names = "--weight-decay", defaultValue = "0.05", description = "AdamW weight decay (default: ${DEFAULT-VALUE})")
    double weightDecay = 0.05;

    @Option(names = "--warmup", defaultValue = "0.05", description = "warm-up share of the steps (default: ${DEFAULT-VALUE})")
    double warmup = 0.05;

    @Option(names = "--label-smoothing", defaultValue = "0.1", description = "default: ${DEFAULT-VALUE}")
    float labelSmoothing = 0.1f;

    @Option(names = "--seed", defaultValue = "0", description = "initialisation, batch order, augmentation (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--img", defaultValue = "28", description = "image size (default: ${DEFAULT-VALUE})")
    int img = 28;

    @Option(names = "--patch", defaultValue = "7", description = "patch size (default: ${DEFAULT-VALUE})")
    int patch = 7;

    @Option(names = "--width", defaultValue = "96", description = "embedding width (default: ${DEFAULT-VALUE})")
    int width = 96;

    @Option(names = "--depth", defaultValue = "8", description = "blocks (default: ${DEFAULT-VALUE})")
    int depth = 8;

    @Option(names = "--heads", defaultValue = "3", description = "attention heads (default: ${DEFAULT-VALUE})")
    int heads = 3;

    @Option(names = "--mlp-ratio", defaultValue = "2", description = "MLP width / embedding width (default: ${DEFAULT-VALUE})")
    double mlpRatio = 2;

    @Mixin
    ImageColumns columns = new ImageColumns();

    @Option(names = "--workers", defaultValue = "1", description = "data loader threads (default: ${DEFAULT-VALUE})")
    int workers = 1;

    /** Runs with the output folder locked against a second writer ({@link OutputLock}). */
    @Override
    public Integer call() throws IOException {
        try (OutputLock lock = OutputLock.acquire(out, spec.qualifiedName())) {
            return run();
        }
    }

    private Integer run() throws IOException {
        validate();
        Path trainFile = data;
        Path testFile = test;
        if (Files.isDirectory(data)) {
            trainFile = data.resolve("fashion-mnist-train.arrow");
            if (testFile == null && Files.isRegularFile(data.resolve("fashion-mnist-test.arrow"))) {
                testFile = data.resolve("fashion-mnist-test.arrow");
            }
        }
        Recipe recipe = new Recipe(epochs, steps, batch, lr, warmup, weightDecay, labelSmoothing, seed);
        ArrowDataset trainDs = VitData.open("--data", trainFile, columns.image, columns.label);
        ArrowDataset testDs = testFile == null ? null : VitData.open("--test", testFile, columns.image, columns.label);
        ArrowDataset sampleDs = Files.isRegularFile(sampleTest)
                ? VitData.open("--sample-test", sampleTest, columns.image, columns.label) : null;
        int classes = trainDs.numClasses(columns.label);
        VitConfig cfg = VitPretraining.config(img, patch, width, depth, heads, mlpRatio, classes,
                classes == FASHION_LABELS.size() && trainFile.getFileName().toString().startsWith("fashion")
                        ? FASHION_LABELS : List.of());
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.printf(Locale.ROOT, "pretraining ViT img %d patch %d width %d depth %d heads %d mlp %.1f on %s (%,d"
                + " images, %d classes)%n", img, patch, width, depth, heads, mlpRatio, trainFile, trainDs.size(),
                classes);
        stdout.flush();
        VitPretraining.Result run = VitPretraining.run(cfg, trainDs, columns.image, columns.label, recipe, workers, out);
        VisionTransformer model = run.model();
        long stepsRun = run.steps();
        double seconds = run.trainSeconds();
        ObjectNode report = JsonMapper.builder().build().createObjectNode();
        report.put("train_file", trainFile.toString());
        report.put("train_images", trainDs.size());
        report.put("steps", stepsRun);
        report.put("batch", batch);
        report.put("lr", lr);
        report.put("seed", seed);
        report.put("parameters", model.parameterCount());
        report.put("train_seconds", Math.round(seconds * 10) / 10.0);
        evaluate(model, cfg, testDs, "test", report, stdout);
        evaluate(model, cfg, sampleDs, "test_1k", report, stdout);
        AtomicFiles.writeString(out.resolve("eval.json"), report.toPrettyString() + "\n");
        stdout.printf(Locale.ROOT, "wrote %s (model.safetensors, config.json, train_log.jsonl, eval.json) in %.1f s%n",
                out, seconds);
        stdout.flush();
        return 0;
    }

    /** Range checks of the numeric flags, before any file is read. */
    private void validate() {
        FlagCheck.atLeast(spec, "--epochs", epochs, 1);
        FlagCheck.atLeast(spec, "--steps", steps, 0);
        FlagCheck.atLeast(spec, "--batch", batch, 1);
        FlagCheck.positive(spec, "--lr", lr);
        FlagCheck.nonNegative(spec, "--weight-decay", weightDecay);
        FlagCheck.inHalfOpen(spec, "--warmup", warmup, 0, 1);
        FlagCheck.inHalfOpen(spec, "--label-smoothing", labelSmoothing, 0, 1);
        FlagCheck.atLeast(spec, "--img", img, 1);
        FlagCheck.atLeast(spec, "--patch", patch, 1);
        FlagCheck.atLeast(spec, "--width", width, 1);
        FlagCheck.atLeast(spec, "--depth", depth, 1);
        FlagCheck.atLeast(spec, "--heads", heads, 1);
        FlagCheck.positive(spec, "--mlp-ratio", mlpRatio);
        FlagCheck.atLeast(spec, "--workers", workers, 0);
        if (img % patch != 0) {
            throw new ParameterException(spec.commandLine(), "--patch " + patch + " must divide --img " + img);
        }
        if (width % heads != 0) {
            throw new ParameterException(spec.commandLine(), "--heads " + heads + " must divide --width " + width);
        }
    }

    private void evaluate(VisionTransformer model, VitConfig cfg, @Nullable ArrowDataset ds, String key,
            ObjectNode report, PrintWriter stdout) {
        if (ds == null) {
            return;
        }
        Accuracy a = VitData.evaluate(model, VitData.Rows.all(ds), columns.image, columns.label, workers);
        report.put(key + "_file", ds.file().toString());
        report.put(key + "_count", a.count());
        report.put(key + "_accuracy", a.accuracy());
        stdout.printf(Locale.ROOT, "%s accuracy: %.2f %% of %,d (%s)%n", key, a.percent(), a.count(), ds.file());
    }
}
