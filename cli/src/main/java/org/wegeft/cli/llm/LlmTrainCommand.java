package org.wegeft.cli.llm;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.wegeft.cli.CheckpointOptions;
import org.wegeft.cli.FlagCheck;
import org.wegeft.cli.ModelFolder;
import org.wegeft.cli.QuantizeOptions;
import org.wegeft.cli.ResumeCheckpoint;
import org.wegeft.kernels.io.OutputLock;
import org.wegeft.llm.Quantization;
import org.wegeft.llm.data.DataRecord;
import org.wegeft.llm.data.LmBatch;
import org.wegeft.llm.data.LmBatchSource;
import org.wegeft.llm.train.CausalLmTraining;
import org.wegeft.llm.train.LmTrainSpec;
import org.wegeft.nn.train.TrainConfig;
import org.wegeft.nn.train.TrainResult;
import org.wegeft.nn.train.Trainer;
import org.wegeft.peft.FineTuningMethod;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code wegeft llm train --model DIR --data FILE --method wegeft|lora|full --out DIR [...]}: fine-tunes with the
 * causal-LM loss (prompt tokens of instruction records masked). Defaults follow the paper: WeGeFT r 64, alpha 128,
 * dropout 0.1 on q,k,v,up,down, each tied across layers; LoRA r 16, alpha 32, dropout 0.05. Writes the adapter in
 * PEFT format ({@code adapter_config.json}, {@code adapter_model.safetensors}) or, for full fine-tuning, the model
 * folder (plus its tokenizer files), and {@code metrics.jsonl}, to {@code --out}; with {@code --checkpoint-every N}
 * a checkpoint every N steps to {@code <--out>/checkpoints}, which {@code --resume} continues from (on CPU with the
 * same flags and seed, the resumed losses are bit-identical to an uninterrupted run's). With
 * {@code --spark-master URL --replicas N} the run is data-parallel on Spark ({@link LlmSparkLaunch}).
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Fine-tunes a model folder with WeGeFT, LoRA or full fine-tuning.")
public final class LlmTrainCommand implements Callable<Integer> {
    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Option(names = "--model", converter = ModelFolder.class, required = true, paramLabel = "DIR|ORG/NAME",
            description = "Hugging Face model folder, or a Hub id in the local cache")
    @SuppressWarnings("NullAway.Init")
    Path model;

    @Mixin
    DataOptions data = new DataOptions();

    @Option(names = "--method", paramLabel = "NAME", defaultValue = "wegeft", description = FlagCheck.METHOD_HELP
            + " (default wegeft)")
    String method = "wegeft";

    @Option(names = "--rank", paramLabel = "R",
            description = "rank (default: the method's, WeGeFT 64, LoRA and DoRA 16, VeRA 256)")
    @Nullable Integer rank;

    @Option(names = "--alpha", paramLabel = "A", description = "alpha (default: 2 × rank)")
    @Nullable Double alpha;

    @Option(names = "--dropout", paramLabel = "P", description = "adapter dropout (default: WeGeFT 0.1, LoRA 0.05)")
    @Nullable Double dropout;

    @Option(names = "--targets", paramLabel = "LIST", split = ",", description = "target modules (default"
            + " q,k,v,up,down; short names get _proj)")
    List<String> targets = List.of("q", "k", "v", "up", "down");

    @Option(names = "--no-tie", description = "WeGeFT: one (phi, psi) pair per layer instead of one per target name")
    boolean noTie;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "1", description = "passes over the data (default 1)")
    int epochs = 1;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "0", description = "optimizer steps (overrides --epochs)")
    long steps;

    @Option(names = "--lr", paramLabel = "LR", description = "learning rate (default: 1e-3 adapters, 5e-5 full)")
    @Nullable Double lr;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "0", description = "linear warm-up steps, then cosine")
    long warmup;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "4", description = "records per step (default 4)")
    int batch = 4;

    @Option(names = "--max-length", paramLabel = "N", defaultValue = "512", description = "tokens per record (default 512)")
    int maxLength = 512;

    @Option(names = "--pack", description = "pack text records into blocks of --max-length tokens")
    boolean pack;

    @Option(names = "--grad-checkpointing", description = "recompute each block's activations in backward")
    boolean gradCheckpointing;

    @Option(names = "--recompute-activations", description = "let the RMS norms' and the MLP gate's outputs go after "
            + "forward and compute them again in backward: less memory for a little more compute, the same gradients")
    boolean recomputeActivations;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder")
    @SuppressWarnings("NullAway.Init")
    Path out;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "seed (adapter init, order, dropout)")
    long seed;

    @Option(names = "--log-every", paramLabel = "N", defaultValue = "10", description = "log every N steps")
    long logEvery = 10;

    @Mixin
    CheckpointOptions checkpoints = new CheckpointOptions();

    @Mixin
    QuantizeOptions quantize = new QuantizeOptions();

    @Option(names = "--spark-master", paramLabel = "URL", description = "train data-parallel on Apache Spark:"
            + " local[N] (N tasks in this JVM), spark://host:port, yarn, … (needs Spark on the class path:"
            + " spark-submit, or the ./wegeft launcher after a build; see docs/distributed.md)")
    @Nullable String sparkMaster;

    @Option(names = "--replicas", paramLabel = "N", defaultValue = "0", description = "data-parallel replicas with"
            + " --spark-master; --batch is the global batch, its rows shared out (default 0: Spark's default"
            + " parallelism)")
    int replicas;

    private Trainer.@Nullable StepListener stepListener;

    /** Called after every training step (the soak benchmark samples the process from it while this command runs). */
    public LlmTrainCommand onStep(Trainer.StepListener listener) {
        this.stepListener = listener;
        return this;
    }

    /** Runs with the output folder locked against a second writer ({@link OutputLock}). */
    @Override
    public Integer call() throws IOException {
        try (OutputLock lock = OutputLock.acquire(out, spec.qualifiedName())) {
            return run();
        }
    }

    private Integer run() throws IOException {
        FineTuningMethod m = FlagCheck.method(spec, "--method", method);
        validate();
        Path resumeFrom = checkpoints.resumeFrom(spec);
        Quantization quantization = quantize.quantization(spec);
        if (quantization != null && !m.writesAdapter()) {
            throw new ParameterException(spec.commandLine(), "--quantize: --method " + method + " trains the base"
                    + " weights, which a quantized model holds frozen; train an adapter method on it, or drop"
                    + " --quantize");
        }
        if (sparkMaster != null) {
            return LlmSparkLaunch.run(this, resumeFrom, quantization);
        }
        long t0 = System.nanoTime();
        LmTrainSpec run = trainSpec(false);
        List<DataRecord> records = run.data().records();
        PrintWriter stdout = spec.commandLine().getOut();
        try (LlmSession s = LlmSession.open(model, null, quantization)) {
            LmBatchSource source = run.batches(records, s.tokenizerFor(records), s.padId());
            LmTrainSpec.Prepared p = run.prepare(s.model);
            TrainConfig cfg = run.trainConfig(trainerDir(), checkpoints.every);
            Files.createDirectories(out);
            Trainer<LmBatch> trainer = new Trainer<>(p.lm(), cfg, CausalLmTraining.objective(), source);
            trainer.progress(System.err, System.console() != null).metricsFile(out.resolve("metrics.jsonl"));
            if (stepListener != null) {
                trainer.onStep(stepListener);
            }
            if (resumeFrom != null) {
                trainer.resumeFrom(resumeFrom);
            }
            TrainResult r = trainer.run();
            CausalLmTraining.save(m, p.peft(), p.lm(), model, out);
            stdout.printf(Locale.ROOT, "method %s: trainable %s; %d examples (%d without targets dropped), %d steps%n",
                    m.name(), p.peft().trainableReport(), source.size(), source.dropped(), r.steps());
            printLoss(r.losses(), t0);
        }
        return 0;
    }

    /** The run the flags describe; {@code absolute}: its paths made absolute (Spark replicas read them). */
    LmTrainSpec trainSpec(boolean absolute) {
        Path dir = absolute ? model.toAbsolutePath() : model;
        return new LmTrainSpec(dir.toString(), data.spec(absolute), maxLength, pack, method, rank, alpha, dropout,
                targets, !noTie, epochs, steps, lr, warmup, batch, seed, logEvery, gradCheckpointing,
                recomputeActivations);
    }

    /** The trainer's output folder: {@code <--out>/checkpoints} when checkpointing, else {@code --out}. */
    Path trainerDir() {
        return checkpoints.every > 0 ? ResumeCheckpoint.folderOf(out) : out;
    }

    /** The last line of a run: first and last loss, time since {@code t0}, where the output went. */
    void printLoss(float[] losses, long t0) {
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.printf(Locale.ROOT, "loss %.4f → %.4f, time %.1f s, saved to %s%n", losses.length > 0 ? losses[0]
                : Float.NaN, losses.length > 0 ? losses[losses.length - 1] : Float.NaN,
                (System.nanoTime() - t0) / 1e9, out);
        stdout.flush();
    }

    /** Range checks of the numeric flags, before any file is read. */
    private void validate() {
        FlagCheck.atLeast(spec, "--batch", batch, 1);
        FlagCheck.atLeast(spec, "--epochs", epochs, 1);
        FlagCheck.atLeast(spec, "--steps", steps, 0);
        FlagCheck.atLeast(spec, "--warmup", warmup, 0);
        FlagCheck.atLeast(spec, "--max-length", maxLength, 2);
        FlagCheck.atLeast(spec, "--log-every", logEvery, 1);
        FlagCheck.atLeast(spec, "--checkpoint-every", checkpoints.every, 0);
        FlagCheck.atLeast(spec, "--replicas", replicas, 0);
        if (rank != null) {
            FlagCheck.atLeast(spec, "--rank", rank, 1);
        }
        if (alpha != null) {
            FlagCheck.positive(spec, "--alpha", alpha);
        }
        if (dropout != null) {
            FlagCheck.inHalfOpen(spec, "--dropout", dropout, 0, 1);
        }
        if (lr != null) {
            FlagCheck.positive(spec, "--lr", lr);
        }
    }
}
