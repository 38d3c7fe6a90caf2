package org.wegeft.cli.perf;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.wegeft.cli.FlagCheck;
import org.wegeft.kernels.Parallel;
import org.wegeft.llm.CausalLM;
import org.wegeft.nn.Module;
import org.wegeft.nn.train.SampleStats;
import org.wegeft.peft.PeftModel;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;
import org.wegeft.vision.VisionTransformer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wegeft bench forward}: the inference cost of a merged WeGeFT model against its base model, side by side
 * in one JVM. Two copies of the benchmark model are built from the same seed; the second gets the adapter method
 * ({@code --method}, WeGeFT by default; rank r on the benchmark targets, every adapter tensor moved by uniform noise
 * so that ΔW ≠ 0) and is merged and unloaded. Forward passes (eval
 * mode, no gradient recording) alternate between the two, {@code --rounds} × {@code --runs} passes of each in ABBA
 * order (base, merged, merged, base, …: a drift of the machine's speed weighs on both alike); the medians and their
 * ratio are printed as one JSON line, with the largest difference between the two models'
 * outputs (they differ by ΔW, so it is not zero) to show the merge took effect.
 */
@Command(name = "forward", mixinStandardHelpOptions = true,
        description = "Forward pass of a merged WeGeFT model vs its base model, side by side; one JSON line.")
public final class BenchForwardCommand implements Callable<Integer> {
    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Mixin
    BenchShapeOptions shape = new BenchShapeOptions();

    @Option(names = "--method", defaultValue = "wegeft", description = "adapter method merged into the second copy "
            + "(default: ${DEFAULT-VALUE})")
    String method = "wegeft";

    @Option(names = "--rank", defaultValue = "16", description = "adapter rank (default: ${DEFAULT-VALUE})")
    int rank = 16;

    @Option(names = "--rounds", defaultValue = "5",
            description = "rounds of passes (default: ${DEFAULT-VALUE}; rounds × runs passes of each model)")
    int rounds = 5;

    @Option(names = "--runs", defaultValue = "5", description = "timed passes per model per round (default: ${DEFAULT-VALUE})")
    int runs = 5;

    @Option(names = "--warmup", defaultValue = "3", description = "untimed passes per model first (default: ${DEFAULT-VALUE})")
    int warmup = 3;

    @Override
    public Integer call() {
        shape.checkNumbers(spec);   // numbers first, so each message names the flag that is wrong
        FlagCheck.atLeast(spec, "--rank", rank, 1);
        FlagCheck.atLeast(spec, "--rounds", rounds, 1);
        FlagCheck.atLeast(spec, "--runs", runs, 1);
        FlagCheck.atLeast(spec, "--warmup", warmup, 0);
        BenchShapeOptions.Shape sh = shape.resolve(spec);
        BenchModel m = sh.model();
        int b = sh.batch();
        int t = sh.seq();
        Module base = m.build(0);
        Module adapted = m.build(0);
        PeftModel peft = m.apply(adapted, FlagCheck.method(spec, "--method", method), rank, 0);
        SplittableRandom rng = new SplittableRandom(42);
        try (var off = Grad.disabled()) {
            // every adapter tensor moved off its initialisation (which makes ΔW = 0 for most methods), whatever the
            // method
            peft.adapterState().forEach((key, w) -> {
                try (Tensor r = Tensor.uniform(rng, -0.05f, 0.05f, w.shape()); Tensor moved = w.add(r)) {
                    w.copyFrom(moved);
                }
            });
        }
        Module merged = peft.mergeAndUnload();
        base.eval();
        merged.eval();
        float[] input = input(m, b, t);
        double[] baseMs = new double[rounds * runs];
        double[] mergedMs = new double[rounds * runs];
        float maxDiff;
        try (var g = Grad.disabled()) {
            for (int i = 0; i < warmup; i++) {
                time(m, base, input, b, t, null);
                time(m, merged, input, b, t, null);
            }
            // passes interleaved in ABBA order (base, merged, merged, base, ...), so a drift of the machine's
            // speed during the measurement weighs on both models alike
            for (int i = 0; i < rounds * runs; i++) {
                if (i % 2 == 0) {
                    baseMs[i] = time(m, base, input, b, t, null);
                    mergedMs[i] = time(m, merged, input, b, t, null);
                } else {
                    mergedMs[i] = time(m, merged, input, b, t, null);
                    baseMs[i] = time(m, base, input, b, t, null);
                }
            }
            float[][] outs = new float[2][];
            time(m, base, input, b, t, outs);
            float[] o0 = outs[0];
            time(m, merged, input, b, t, outs);
            maxDiff = 0;
            for (int i = 0; i < o0.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(o0[i] - outs[0][i]));
            }
        }
        double bm = SampleStats.of(baseMs);
        double mm = SampleStats.of(mergedMs);
        ObjectNode o = JsonMapper.builder().build().createObjectNode();
        o.put("bench", "forward");
        o.put("model", m.id());
        o.put("batch", b);
        if (m.isLlm()) {
            o.put("seq", t);
        }
        o.put("rank", rank);
        o.put("threads", Parallel.threads());
        o.put("runs", rounds * runs);
        o.put("base_ms_median", TrainBenchRun.round(bm, 2));
        o.put("merged_ms_median", TrainBenchRun.round(mm, 2));
        o.put("ratio_merged_to_base", TrainBenchRun.round(mm / bm, 4));
        o.put("max_abs_output_difference", maxDiff);
        o.put("parameters_base", base.parameterCount());
        o.put("parameters_merged", merged.parameterCount());
        PrintWriter out = spec.commandLine().getOut();
        out.println(o);
        out.flush();
        return 0;
    }

    private static float[] input(BenchModel m, int b, int t) {
        SplittableRandom rng = new SplittableRandom(7);
        float[] x = new float[m.isLlm() ? b * t : b * 3 * BenchModel.IMAGE * BenchModel.IMAGE];
        int vocab = m.isLlm() ? m.vocab() : 0;
        for (int i = 0; i < x.length; i++) {
            x[i] = m.isLlm() ? rng.nextInt(vocab) : (float) (rng.nextDouble() * 2 - 1);
        }
        return x;
    }

    /** One forward pass in milliseconds; its output into {@code out[0]} when given. */
    private static double time(BenchModel m, Module net, float[] input, int b, int t, float @Nullable [][] out) {
        try (TensorScope scope = TensorScope.open()) {
            long t0 = System.nanoTime();
            Tensor y;
            if (m.isLlm()) {
                int[] ids = new int[input.length];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = (int) input[i];
                }
                y = ((CausalLM) net).forward(Tensor.ofInts(ids, b, t));
            } else {
                y = ((VisionTransformer) net).forward(Tensor.of(input, b, 3, BenchModel.IMAGE, BenchModel.IMAGE));
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            if (out != null) {
                out[0] = y.toFloatArray();
            }
            return ms;
        }
    }
}
