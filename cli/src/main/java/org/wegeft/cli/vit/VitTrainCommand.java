package org.wegeft.cli.vit;

import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.wegeft.cli.CheckpointOptions;
import org.wegeft.cli.FlagCheck;
import org.wegeft.cli.ModelFolder;
import org.wegeft.cli.ResumeCheckpoint;
import org.wegeft.kernels.io.AtomicFiles;
import org.wegeft.kernels.io.OutputLock;
import org.wegeft.nn.data.ArrowDataset;
import org.wegeft.nn.train.RunFiles;
import org.wegeft.peft.FineTuningMethod;
import org.wegeft.vision.train.FineTuneResult;
import org.wegeft.vision.train.FineTuner;
import org.wegeft.vision.train.Recipe;
import org.wegeft.vision.train.VitData;
import org.wegeft.vision.train.VitFineTuning;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code wegeft vit train --model DIR --train FILE --eval FILE --method NAME}: fine-tunes
 * a vision model folder of any family of {@code VisionFamilies} on an Arrow image-classification file and reports the evaluation accuracy as one JSON line on
 * stdout. {@code --out} receives the PEFT adapter folder (WeGeFT, LoRA) or the whole fine-tuned model (full,
 * probe, BitFit), ready for {@code wegeft vit eval}, and {@code metrics.jsonl}; with {@code --checkpoint-every N}
 * also a checkpoint every N steps to {@code <--out>/checkpoints}, which {@code --resume} continues from (into a
 * new or the same {@code --out}; on CPU with the same flags and seed, the resumed losses are bit-identical).
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Fine-tunes a ViT on an Arrow or Parquet image set with WeGeFT, LoRA, full fine-tuning, a linear probe or BitFit.")
public final class VitTrainCommand implements Callable<Integer> {
    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Option(names = "--model", converter = ModelFolder.class, required = true, paramLabel = "DIR|ORG/NAME",
            description = "pretrained model folder (config.json + model.safetensors): timm ViT, or Hugging Face vit,"
                    + " deit, dinov2, dinov2_with_registers, clip(_vision_model), siglip(_vision_model)")
    @SuppressWarnings("NullAway.Init")
    Path model;

    @Option(names = "--train", required = true, paramLabel = "FILE",
            description = "training data: Arrow or Parquet file, glob or folder")
    @SuppressWarnings("NullAway.Init")
    Path train;

    @Option(names = "--eval", required = true, paramLabel = "FILE",
            description = "evaluation data: Arrow or Parquet file, glob or folder")
    @SuppressWarnings("NullAway.Init")
    Path eval;

    @Option(names = "--method", required = true, paramLabel = "NAME", description = FlagCheck.METHOD_HELP)
    @SuppressWarnings("NullAway.Init")
    String method;

    @Option(names = "--rank", defaultValue = "16", description = "adapter rank (default: ${DEFAULT-VALUE})")
    int rank = 16;

    @Option(names = "--targets", split = ",", paramLabel = "NAME[,NAME…]", description = "adapter target modules"
            + " (default: the model family's: attn.proj for timm ViTs, query,value for ViT, DeiT and DINOv2,"
            + " q_proj,v_proj for CLIP and SigLIP)")
    List<String> targets = List.of();

    @Option(names = "--epochs", defaultValue = "20", description = "default: ${DEFAULT-VALUE}")
    int epochs = 20;

    @Option(names = "--steps", defaultValue = "0", description = "optimizer steps instead of epochs")
    long steps;

    @Option(names = "--lr", description = "peak learning rate (default: per method, see README)")
    @Nullable Double lr;

    @Option(names = "--batch", defaultValue = "64", description = "default: ${DEFAULT-VALUE}")
    int batch = 64;

    @Option(names = "--seed", defaultValue = "0", description = "default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "where to save the adapter or the fine-tuned model")
    @Nullable Path out;

    @Mixin
    ImageColumns columns = new ImageColumns();

    @Option(names = "--workers", defaultValue = "1", description = "data loader threads (default: ${DEFAULT-VALUE})")
    int workers = 1;

    @Mixin
    CheckpointOptions checkpoints = new CheckpointOptions();

    @Option(names = "--spark-master", paramLabel = "URL", description = "train data-parallel on Apache Spark:"
            + " local[N] (N tasks in this JVM), local[N,F] (F tries per task), spark://host:port, yarn, … (needs Spark"
            + " on the class path: spark-submit, or the ./wegeft launcher after a build; see docs/distributed.md)")
    @Nullable String sparkMaster;

    @Option(names = "--replicas", paramLabel = "N", defaultValue = "0", description = "data-parallel replicas with"
            + " --spark-master; --batch is the global batch, split equally (default 0: Spark's default parallelism)")
    int replicas;

    @Option(names = "--recompute-activations", description = "let the norms' and the MLP activation's outputs go "
            + "after forward and compute them again in backward: less memory for a little more compute, the same "
            + "gradients (not with --spark-master)")
    boolean recomputeActivations;

    @Option(names = "--no-progress", description = "no progress line on stderr")
    boolean noProgress;

    @Option(names = "--result-json", hidden = true, paramLabel = "FILE", description = "also write the result here (used by wegeft demo vit)")
    @Nullable Path resultJson;

    /** Runs with the output folder locked against a second writer ({@link OutputLock}). */
    @Override
    public Integer call() throws IOException {
        try (OutputLock lock = out == null ? null : OutputLock.acquire(out, spec.qualifiedName())) {
            return run();
        }
    }

    private Integer run() throws IOException {
        FlagCheck.atLeast(spec, "--rank", rank, 1);
        FlagCheck.atLeast(spec, "--epochs", epochs, 1);
        FlagCheck.atLeast(spec, "--steps", steps, 0);
        if (lr != null) {
            FlagCheck.positive(spec, "--lr", lr);
        }
        FlagCheck.atLeast(spec, "--batch", batch, 1);
        FlagCheck.atLeast(spec, "--workers", workers, 0);
        FlagCheck.atLeast(spec, "--checkpoint-every", checkpoints.every, 0);
        FlagCheck.atLeast(spec, "--replicas", replicas, 0);
        if (checkpoints.every > 0 && out == null) {
            throw new ParameterException(spec.commandLine(), "--checkpoint-every needs --out (checkpoints go to"
                    + " <--out>/" + ResumeCheckpoint.FOLDER + ")");
        }
        Path resumeFrom = checkpoints.resumeFrom(spec);
        FineTuningMethod m = FlagCheck.method(spec, "--method", method);
        if (!Files.isDirectory(model)) {
            throw new IllegalArgumentException("--model: no such folder: " + model);
        }
        if (out != null && resumeFrom == null && Files.isDirectory(out) && !isEmpty(out)) {
            throw new IllegalArgumentException("--out: folder exists and is not empty: " + out);
        }
        Recipe recipe = VitFineTuning.recipe(epochs, steps, batch, lr != null ? lr : VitFineTuning.defaultLr(m), seed);
        ArrowDataset trainDs = VitData.open("--train", train, columns.image, columns.label);
        ArrowDataset evalDs = VitData.open("--eval", eval, columns.image, columns.label);
        RunFiles files = new RunFiles(out == null ? null : out.resolve("metrics.jsonl"),
                out != null && checkpoints.every > 0 ? ResumeCheckpoint.folderOf(out) : null, checkpoints.every, resumeFrom);
        FineTuner tuner = new FineTuner(columns.image, columns.label, workers, noProgress ? null : System.err,
                System.console() != null, files, recomputeActivations);
        FineTuneResult r;
        if (sparkMaster != null) {
            if (recomputeActivations) {
                throw new ParameterException(spec.commandLine(), "--recompute-activations is not supported with "
                        + "--spark-master yet (the replicas build their models from the job description)");
            }
            r = VitSparkLaunch.runOnSpark(this, m, recipe, trainDs, evalDs, resumeFrom);
        } else {
            r = tuner.run(model, m, rank, targets, trainDs, evalDs, recipe, out);
        }
        r = r.withPeakMemoryMb(PeakMemory.highWaterMb());
        String json = JsonMapper.builder().build().writeValueAsString(ResultsFile.toJson(r));
        if (resultJson != null) {
            AtomicFiles.writeString(resultJson, json + "\n");
        }
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println(json);
        stdout.flush();
        return 0;
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
