package org.wegeft.cli;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.train.AdamW;
import org.wegeft.nn.train.ParamGroups;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;
import org.wegeft.vision.VisionTransformer;
import org.wegeft.vision.VitConfig;
import org.wegeft.vision.train.VitFineTuning;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code wegeft bench soak --steps N}: trains a small ViT with WeGeFT (r = 16 on {@code attn.proj}, tied across
 * blocks, plus the head) on one fixed batch of random images for N AdamW steps, each inside a
 * {@link TensorScope}, and samples the process every K steps. Prints one JSON line per sample, then a summary
 * line with the growth of resident and off-heap memory after warm-up (median of the last 10 % of steps against
 * the median of the 10 % right after the first 10 %) and the open file-descriptor range after warm-up, with
 * {@code pass} fields for the bounds of a long run: growth under 5 %, a constant number of descriptors.
 *
 * <p>With {@code --model DIR} it soaks {@code llm train} on that model folder instead, with checkpoints, and with
 * {@code --kill-resume} it kills such a run and checks its resume bit for bit ({@link LlmSoak}).
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Long-run stability: trains a small ViT with WeGeFT (or, with --model, runs llm train on that"
                + " model with checkpoints) for N steps, sampling resident memory, heap, off-heap bytes and open file"
                + " descriptors; prints JSON lines and a summary. --kill-resume: kills a --model run with SIGKILL and"
                + " checks that its resume ends with the same adapter, bit for bit.")
final class BenchSoakCommand implements Callable<Integer> {
    static final long MAX_STEPS = 100_000_000L;
    static final int MAX_BATCH = 4096;
    static final int MAX_SEQ = 65_536;
    static final int IMG = 32;
    static final int PATCH = 4;
    static final int CLASSES = 10;
    static final double GROWTH_LIMIT_PCT = 5.0;

    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Option(names = "--method", defaultValue = "wegeft", description = "fine-tuning method (default: ${DEFAULT-VALUE})")
    String method = "wegeft";

    @Option(names = "--steps", required = true, paramLabel = "N",
            description = "optimizer steps (1.." + MAX_STEPS + ")")
    long steps;

    @Option(names = "--sample-every", paramLabel = "K", description = "sample every K steps (default: steps / 100, "
            + "at least 1)")
    @Nullable Long sampleEvery;

    @Option(names = "--batch", paramLabel = "B", description = "images per step (default 8); with --model,"
            + " sequences per step (default 1)")
    @Nullable Integer batch;

    @Option(names = "--dim", paramLabel = "C", defaultValue = "96", description = "ViT: embedding width, a multiple of"
            + " 32 (one head per 32; default 96)")
    int dim = 96;

    @Option(names = "--depth", paramLabel = "L", defaultValue = "6", description = "ViT: transformer blocks (default"
            + " 6)")
    int depth = 6;

    @Option(names = "--model", converter = ModelFolder.class, paramLabel = "DIR|ORG/NAME",
            description = "soak llm train on this model folder instead of the small ViT (needs --out)")
    @Nullable Path model;

    @Option(names = "--out", paramLabel = "DIR", description = "with --model: folder for the runs, the JSON report"
            + " and the plot (must not exist or be empty)")
    @Nullable Path out;

    @Option(names = "--checkpoint-every", paramLabel = "K", defaultValue = "50", description = "with --model: a"
            + " checkpoint every K steps (default 50)")
    long checkpointEvery = 50;

    @Option(names = "--seq", paramLabel = "T", defaultValue = "64", description = "with --model: tokens per sequence"
            + " (default 64)")
    int seq = 64;

    @Option(names = "--kill-resume", description = "with --model: train uninterrupted, then again killed with SIGKILL"
            + " at a random step after the first checkpoint and resumed, each in a child process; compares the"
            + " adapters and losses bit for bit")
    boolean killResume;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "seed of the model, adapter and"
            + " images (default 0)")
    long seed;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (steps < 1 || steps > MAX_STEPS) {
            throw new ParameterException(spec.commandLine(), "--steps must be between 1 and " + MAX_STEPS + ", got "
                    + steps);
        }
        long every = sampleEvery != null ? sampleEvery : Math.max(1, steps / 100);
        if (every < 1 || every > steps) {
            throw new ParameterException(spec.commandLine(), "--sample-every must be between 1 and --steps (" + steps
                    + "), got " + every);
        }
        if (batch != null && (batch < 1 || batch > MAX_BATCH)) {
            throw new ParameterException(spec.commandLine(), "--batch must be between 1 and " + MAX_BATCH + ", got "
                    + batch);
        }
        if (dim < 32 || dim > 4096 || dim % 32 != 0) {
            throw new ParameterException(spec.commandLine(), "--dim must be a multiple of 32 in [32, 4096], got " + dim);
        }
        if (depth < 1 || depth > 64) {
            throw new ParameterException(spec.commandLine(), "--depth must be between 1 and 64, got " + depth);
        }
        if (checkpointEvery < 1) {
            throw new ParameterException(spec.commandLine(), "--checkpoint-every must be at least 1, got "
                    + checkpointEvery);
        }
        if (seq < 8 || seq > MAX_SEQ) {
            throw new ParameterException(spec.commandLine(), "--seq must be between 8 and " + MAX_SEQ + ", got " + seq);
        }
        if (model != null) {
            return soakModel(every);
        }
        if (killResume || out != null) {
            throw new ParameterException(spec.commandLine(), (killResume ? "--kill-resume" : "--out")
                    + " needs --model");
        }
        return soakVit(every, batch == null ? 8 : batch);
    }

    /** {@code --model}: {@link LlmSoak}, after the checks that need the model flags. */
    private int soakModel(long every) throws IOException, InterruptedException {
        if (out == null) {
            throw new ParameterException(spec.commandLine(), "--model needs --out (the folder for the runs)");
        }
        if (Files.exists(out) && (!Files.isDirectory(out) || !isEmpty(out))) {
            throw new ParameterException(spec.commandLine(), "--out: " + out + " exists and is not an empty folder");
        }
        if (checkpointEvery >= steps) {
            throw new ParameterException(spec.commandLine(), "--checkpoint-every (" + checkpointEvery + ") must be"
                    + " below --steps (" + steps + ")");
        }
        if (killResume && steps < checkpointEvery + 2) {
            throw new ParameterException(spec.commandLine(), "--kill-resume needs --steps at least --checkpoint-every"
                    + " + 2 (a step to kill after the first checkpoint), got " + steps);
        }
        LlmSoak.Settings s = new LlmSoak.Settings(model, out, method, steps, every, checkpointEvery,
                batch == null ? 1 : batch, seq, seed);
        return killResume ? LlmSoak.killResume(spec.commandLine(), s) : LlmSoak.soak(spec.commandLine(), s);
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private int soakVit(long every, int batch) {
        PrintWriter out = spec.commandLine().getOut();
        String name = spec.qualifiedName();
        boolean proc = SoakProbe.procAvailable();
        if (!proc) {
            spec.commandLine().getErr().println(name + ": note: /proc/self is absent; resident memory and open file "
                    + "descriptors are not measured (null in the output)");
            spec.commandLine().getErr().flush();
        }
        long t0 = System.nanoTime();
        VisionTransformer vit = new VisionTransformer(VitConfig.of(IMG, PATCH, dim, depth, dim / 32, CLASSES), seed);
        int r = Math.min(16, dim);
        VitFineTuning.apply(FlagCheck.method(spec, "--method", method), vit, r, List.of("attn.proj"), seed);
        vit.train();
        int[] labels = new SplittableRandom(seed).ints(batch, 0, CLASSES).toArray();
        JsonMapper json = new JsonMapper();
        List<SoakProbe.Sample> samples = new ArrayList<>();
        // images: (B, 3, 32, 32), made once and reused every step
        try (Tensor images = Tensor.randn(seed, batch, 3, IMG, IMG); Tensor targets = Tensor.ofInts(labels, batch);
             AdamW opt = new AdamW(ParamGroups.decayAndNoDecay(vit, 0.01), 1e-3)) {
            for (long step = 1; step <= steps; step++) {
                float loss;
                try (TensorScope ignored = TensorScope.open()) {
                    Tensor logits = vit.forward(images); // (B, classes)
                    Tensor l = Functional.crossEntropy(logits, targets);
                    l.backward();
                    loss = l.item();
                    opt.step();
                    opt.zeroGrad();
                }
                if (step % every == 0 || step == steps) {
                    SoakProbe.Sample s = SoakProbe.sample(step, loss);
                    samples.add(s);
                    out.println(SoakReport.sampleJson(json, s).toString());
                    out.flush();
                }
            }
        }
        ObjectNode summary = SoakReport.summarize(json, samples, steps);
        summary.put("trainable_params", vit.trainableParameterCount());
        summary.put("seconds", Math.round((System.nanoTime() - t0) / 1e6) / 1e3);
        out.println(summary.toString());
        out.flush();
        return summary.path("pass").asBoolean() ? 0 : 1;
    }

}
