package org.wegeft.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.io.DiskSpace;
import org.wegeft.peft.merge.MergePlan;
import org.wegeft.peft.merge.MergeWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wegeft merge --model DIR --adapter DIR --out DIR [--base DIR] [--dtype keep|f32|bf16] [--force]}: the library's
 * streaming folder merge ({@link MergePlan}, {@link MergeWriter}) of any registered adapter method. A summary goes
 * to stdout, one progress line per shard to stderr.
 */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Merges a PEFT adapter into a model folder (streaming, one tensor at a time).")
final class MergeCommand implements Callable<Integer> {
    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Option(names = "--model", converter = ModelFolder.class,
            required = true, paramLabel = "DIR|ORG/NAME",
            description = "model folder: config.json and model.safetensors, or shards + model.safetensors.index.json")
    @SuppressWarnings("NullAway.Init")
    Path model;

    @Option(names = "--adapter", required = true, paramLabel = "DIR",
            description = "adapter folder: adapter_config.json + adapter_model.safetensors")
    @SuppressWarnings("NullAway.Init")
    Path adapter;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder (must not exist or be empty)")
    @SuppressWarnings("NullAway.Init")
    Path out;

    @Option(names = "--base", paramLabel = "DIR", converter = ModelFolder.class,
            description = "the full-precision weights to fold the adapter into, when --model holds quantized weights"
                    + " (e.g. a bitsandbytes 4-bit folder the adapter was trained on)")
    @Nullable Path base;

    @Option(names = "--dtype", paramLabel = "keep|f32|bf16", defaultValue = "keep",
            description = "dtype of the floating-point tensors written (default: keep each tensor's)")
    String dtype = "keep";

    @Option(names = "--force", description = "replace a non-empty --out folder")
    boolean force;

    @Override
    public Integer call() throws IOException {
        long t0 = System.nanoTime();
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        try (MergePlan plan = MergePlan.prepare(model, base, adapter, out, outDtype(dtype), force)) {
            MergeWriter.Summary s = new MergeWriter(plan, (i, shards, name, tensors, merged, bytes) -> {
                stderr.printf("wegeft merge: [%d/%d] %s: %d tensors, %d merged, %s%n", i, shards, name, tensors,
                        merged, DiskSpace.human(bytes));
                stderr.flush();
            }).write();
            double secs = (System.nanoTime() - t0) / 1e9;
            if (plan.quantizedModel() != null) {
                stdout.printf("folded into the full-precision base %s (the adapter was trained on the quantized %s)%n",
                        plan.weights(), plan.quantizedModel());
            }
            stdout.printf(Locale.ROOT, "merged %s adapter (r=%d, scale=%s) into %s%n", plan.config().peftType(),
                    plan.config().r(), plan.config().scale(), plan.out());
            stdout.printf(Locale.ROOT, "targets merged: %d, tensors replaced from the adapter: %d, tensors copied: %d%n",
                    s.targets(), s.replaced(), s.copied());
            stdout.printf(Locale.ROOT, "shards: %d, other files copied: %d, bytes written: %d (%s), time: %.2f s%n",
                    s.shards(), s.otherFiles(), s.bytes(), DiskSpace.human(s.bytes()), secs);
        }
        stdout.flush();
        return 0;
    }

    /** null for keep, else the safetensors dtype name. */
    static @Nullable String outDtype(String flag) {
        return switch (flag.toLowerCase(Locale.ROOT)) {
            case "keep" -> null;
            case "f32" -> "F32";
            case "bf16" -> "BF16";
            default -> throw new IllegalArgumentException("--dtype: expected keep, f32 or bf16, got '" + flag + "'");
        };
    }
}
