package org.wegeft.cli.perf;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.wegeft.cli.FlagCheck;
import org.wegeft.cli.QuantizeOptions;
import org.wegeft.kernels.BackendUnavailableException;
import org.wegeft.kernels.Backends;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.KernelBackend;
import org.wegeft.kernels.ProfilingBackend;
import org.wegeft.llm.Quantization;
import org.wegeft.nn.train.Trainer;
import org.wegeft.peft.FineTuningMethod;
import org.wegeft.tensor.CheckpointKeep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code wegeft bench train}: times training steps of one benchmark model and method ({@link BenchModel}) with
 * the real {@link Trainer} (AdamW, random data) and prints one JSON line. {@code tools/bench/torch_ref.py} runs
 * the same configurations in PyTorch and prints the same fields.
 *
 * <p>{@code step_ms_median} is the median wall time of the timed steps (after {@code --warmup} untimed ones),
 * each from fetching its batch to the release of its tensors. {@code peak_rss_mb} is the process's peak resident
 * set (VmHWM). {@code mfu} is the step's analytic model FLOPs ({@link TrainFlops}) per second divided by
 * {@code wegeft bench gemm}'s float32 GFLOP/s at n = {@code --gemm-n}, measured in this process after the
 * training steps. {@code dtype} ({@code --dtype}) is how the frozen pretrained weights are stored: f32, or bf16
 * as a Hugging Face bf16 checkpoint loads ({@link BenchModel#build(long, DType)}).
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Times training steps of a benchmark model (vit-ti16, vit-s16, vit-b16, vit-l16, llama-tiny, "
                + "llama-110m, llama-1b, llama-8b, qwen3-0.6b) with one method; prints one JSON line (step_ms_median, "
                + "peak_rss_mb, trainable, total, mfu, ...).")
public final class BenchTrainCommand implements Callable<Integer> {
    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Mixin
    BenchShapeOptions shape = new BenchShapeOptions();

    @Option(names = "--method", required = true, paramLabel = "NAME", description = FlagCheck.METHOD_HELP)
    String method = "";

    @Option(names = "--dtype", defaultValue = "f32", paramLabel = "f32|bf16",
            description = "storage of the frozen pretrained weights (every Linear weight and the embedding table), "
                    + "as a checkpoint in that dtype loads; bf16 keeps them frozen in bf16, computed in float32 "
                    + "(full fine-tuning widens them to float32, as llm train does) (default: ${DEFAULT-VALUE})")
    String dtype = "f32";

    @Mixin
    QuantizeOptions quantize = new QuantizeOptions();

    /** The quantization of the frozen weights (null for none), resolved in {@link #call}. */
    @Nullable Quantization quantization;

    @Option(names = "--steps", defaultValue = "10", description = "timed steps (default: ${DEFAULT-VALUE})")
    int steps = 10;

    @Option(names = "--warmup", defaultValue = "3", description = "untimed steps first (default: ${DEFAULT-VALUE})")
    int warmup = 3;

    @Option(names = "--rank", defaultValue = "16", description = "adapter rank (default: ${DEFAULT-VALUE})")
    int rank = 16;

    @Option(names = "--backend",
            description = "kernel backend (cpu, cuda, opencl, scalar); default: the configured one")
    @Nullable String backend;

    @Option(names = "--gemm-n", defaultValue = "1024",
            description = "size of the reference GEMM for mfu; 0 skips it (default: ${DEFAULT-VALUE})")
    int gemmN = 1024;

    @Option(names = "--grad-checkpointing", arity = "0..1", fallbackValue = "full", paramLabel = "KEEP",
            description = "recompute each block's activations in backward instead of keeping them: full (keep only "
                    + "each block's input: least memory, about one more forward pass) or selective (also keep "
                    + "attention and down-projection outputs: less recomputation); the flag alone means full")
    @Nullable String gradCheckpointing;

    /** --grad-checkpointing parsed (in call()), or null without the flag. */
    @Nullable CheckpointKeep keep;

    @Option(names = "--recompute-activations", description = "let the norms' and the MLP activation's outputs go "
            + "after forward and compute them again in backward: less memory held until backward for about one "
            + "more pass of those cheap ops, the same gradients")
    boolean recomputeActivations;

    @Option(names = "--grad-accumulation", defaultValue = "1", paramLabel = "N",
            description = "run each batch as N micro-batches of batch/N, accumulating gradients, then one optimizer "
                    + "step: the same update with about 1/N of the activation memory (default: ${DEFAULT-VALUE})")
    int accumulation = 1;

    @Option(names = "--profile", description = "time every kernel call (per kernel and shape) during the timed steps; "
            + "the table goes to stderr and the top entries into the JSON line (adds a little overhead per call)")
    boolean profile;

    @Option(names = "--seed", defaultValue = "0", description = "initialisation and data seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--dropout", defaultValue = "0", paramLabel = "P",
            description = "adapter dropout of a language model's WeGeFT (on W, inside the generator) or LoRA "
                    + "(default: ${DEFAULT-VALUE})")
    double dropout;

    @Option(names = "--replicas", defaultValue = "1", paramLabel = "R",
            description = "data-parallel replicas: R threads of this process, each training its own copy on its own "
                    + "batch of --batch, gradients averaged over a loopback TCP ring as local[R] Spark tasks do; adds "
                    + "sync_ms_median and sync_share, the wait for the all-reduce after backward (default: "
                    + "${DEFAULT-VALUE})")
    int replicas = 1;

    @Option(names = "--bucket-mb", defaultValue = "25", paramLabel = "MB",
            description = "with --replicas: gradient all-reduce bucket size, reduced while backward runs; 0 averages "
                    + "every gradient at once after backward (default: ${DEFAULT-VALUE})")
    long bucketMb = 25;

    @Override
    public Integer call() {
        shape.checkNumbers(spec);   // numbers first, so each message names the flag that is wrong
        FlagCheck.atLeast(spec, "--steps", steps, 1);
        FlagCheck.atLeast(spec, "--warmup", warmup, 0);
        FlagCheck.atLeast(spec, "--rank", rank, 1);
        FlagCheck.atLeast(spec, "--gemm-n", gemmN, 0);
        FlagCheck.atLeast(spec, "--grad-accumulation", accumulation, 1);
        FlagCheck.inHalfOpen(spec, "--dropout", dropout, 0, 1);
        FlagCheck.atLeast(spec, "--replicas", replicas, 1);
        FlagCheck.atLeast(spec, "--bucket-mb", bucketMb, 0);
        if (replicas > 1 && profile) {
            throw new ParameterException(spec.commandLine(), "--profile times one process's kernels; it does not "
                    + "combine with --replicas");
        }
        if (gradCheckpointing != null) {
            keep = checkpointKeep();   // rejects an unknown value before anything is built
        }
        BenchShapeOptions.Shape sh = shape.resolve(spec);
        BenchModel m = sh.model();
        FineTuningMethod meth = FlagCheck.method(spec, "--method", method);
        if (dropout > 0 && (!m.isLlm() || !meth.writesAdapter())) {
            throw new ParameterException(spec.commandLine(), "--dropout applies to a language model's adapters, not "
                    + "to " + m.id() + " " + meth.name());
        }
        DType weights = BenchModel.parseDtype("--dtype", dtype);
        quantization = quantize.quantization(spec);
        if (quantization != null && (!m.isLlm() || !meth.writesAdapter())) {
            throw new ParameterException(spec.commandLine(), "--quantize applies to a language model's frozen weights"
                    + " under an adapter method, not to " + m.id() + " " + meth.name());
        }
        int b = sh.batch();
        int t = sh.seq();
        if (b % accumulation != 0) {
            throw new ParameterException(spec.commandLine(), "--grad-accumulation " + accumulation
                    + " does not divide the batch of " + b + " into equal micro-batches");
        }
        KernelBackend kb = selectBackend();
        ProfilingBackend prof = null;
        if (profile) {
            prof = ProfilingBackend.wrap(kb);
            Backends.setCurrent(prof);
        }
        ObjectNode o = TrainBenchRun.run(this, m, meth, weights, b, t, kb, prof);
        PrintWriter out = spec.commandLine().getOut();
        out.println(o);
        out.flush();
        return 0;
    }

    /** --grad-checkpointing's value as a policy: full keeps nothing but block inputs, selective more. */
    private CheckpointKeep checkpointKeep() {
        return switch (String.valueOf(gradCheckpointing).trim().toLowerCase(java.util.Locale.ROOT)) {
            case "full" -> CheckpointKeep.NOTHING;
            case "selective" -> CheckpointKeep.ATTENTION_AND_DOWN_PROJECTIONS;
            default -> throw new ParameterException(spec.commandLine(), "--grad-checkpointing must be full or "
                    + "selective, got '" + gradCheckpointing + "'");
        };
    }

    private KernelBackend selectBackend() {
        if (backend == null) {
            return Backends.current();
        }
        try {
            KernelBackend kb = Backends.byName(backend);
            Backends.setCurrent(kb);
            return kb;
        } catch (BackendUnavailableException e) {
            throw new ParameterException(spec.commandLine(), "--backend: " + e.getMessage());
        }
    }

}
