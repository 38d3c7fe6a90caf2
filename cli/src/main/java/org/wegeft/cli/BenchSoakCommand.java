package org.wegeft.cli;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
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
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Long-run stability: trains a small ViT with WeGeFT for N steps, sampling resident memory, "
                + "heap, off-heap bytes and open file descriptors; prints JSON lines and a summary.")
final class BenchSoakCommand implements Callable<Integer> {
    static final long MAX_STEPS = 100_000_000L;
    static final int MAX_BATCH = 4096;
    static final int IMG = 32;
    static final int PATCH = 4;
    static final int CLASSES = 10;
    static final double GROWTH_LIMIT_PCT = 5.0;

    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Option(names = "--method", defaultValue = "wegeft", description = "fine-tuning method (default: ${DEFAULT-VALUE})")
    String method = "wegeft";

    @Option(names = "--steps", required = true, paramLabel = "N", description = "optimizer steps (1..${MAX_STEPS})")
    long steps;

    @Option(names = "--sample-every", paramLabel = "K", description = "sample every K steps (default: steps / 100, "
            + "at least 1)")
    @Nullable Long sampleEvery;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "8", description = "images per step (default 8)")
    int batch = 8;

    @Option(names = "--dim", paramLabel = "C", defaultValue = "96", description = "embedding width, a multiple of 32"
            + " (one head per 32; default 96)")
    int dim = 96;

    @Option(names = "--depth", paramLabel = "L", defaultValue = "6", description = "transformer blocks (default 6)")
    int depth = 6;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "seed of the model, adapter and"
            + " images (default 0)")
    long seed;

    @Override
    public Integer call() {
        if (steps < 1 || steps > MAX_STEPS) {
            throw new ParameterException(spec.commandLine(), "--steps must be between 1 and " + MAX_STEPS + ", got "
                    + steps);
        }
        long every = sampleEvery != null ? sampleEvery : Math.max(1, steps / 100);
        if (every < 1 || every > steps) {
            throw new ParameterException(spec.commandLine(), "--sample-every must be between 1 and --steps (" + steps
                    + "), got " + every);
        }
        if (batch < 1 || batch > MAX_BATCH) {
            throw new ParameterException(spec.commandLine(), "--batch must be between 1 and " + MAX_BATCH + ", got "
                    + batch);
        }
        if (dim < 32 || dim > 4096 || dim % 32 != 0) {
            throw new ParameterException(spec.commandLine(), "--dim must be a multiple of 32 in [32, 4096], got " + dim);
        }
        if (depth < 1 || depth > 64) {
            throw new ParameterException(spec.commandLine(), "--depth must be between 1 and 64, got " + depth);
        }
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
        return 0;
    }

}
