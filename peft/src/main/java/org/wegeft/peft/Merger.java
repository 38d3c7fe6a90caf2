package org.wegeft.peft;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;

/**
 * Merges an adapter into base weights one target at a time, from a config, the Linear shapes and a lookup of
 * adapter tensors by file key: what {@link PeftModel#merge()} does per layer and what a streaming checkpoint
 * merge needs (peak memory: one weight plus its ΔW).
 *
 * <pre>
 *   Merger m = Merger.of(AdapterConfig.read(dir), shapes, "adapter");
 *   m.checkAdapter(fileShapes, "adapter_model.safetensors");
 *   for each target path p:  Tensor merged = m.merged(p, w, key -&gt; tensors.get(key));
 * </pre>
 */
public final class Merger {
    private final AdapterPlan plan;

    public Merger(AdapterPlan plan) {
        this.plan = plan;
    }

    /** Plans {@code config} over {@code linearShapes} (path → {out, in}); {@code source} names it in errors. */
    public static Merger of(AdapterConfig config, Map<String, long[]> linearShapes, String source) {
        return new Merger(AdapterPlan.of(config, linearShapes, source));
    }

    public AdapterPlan plan() {
        return plan;
    }

    public boolean isTarget(String path) {
        return plan.targets().stream().anyMatch(t -> t.path().equals(path));
    }

    /**
     * Checks that an adapter file holds every tensor the plan needs, with the right shape, and nothing else
     * adapter-like. Extra keys that are no registered method's tensors (saved modules, biases) are allowed.
     * @throws AdapterLoadException naming the file and the keys
     */
    public void checkAdapter(Map<String, long[]> fileShapes, String file) {
        Map<String, long[]> want = plan.adapterShapes();
        List<String> missing = want.keySet().stream().filter(k -> !fileShapes.containsKey(k)).toList();
        List<String> bad = want.entrySet().stream().filter(e -> fileShapes.containsKey(e.getKey())
                && !Arrays.equals(fileShapes.get(e.getKey()), e.getValue())).map(e -> e.getKey() + " (expected "
                + Arrays.toString(e.getValue()) + ", got " + Arrays.toString(fileShapes.get(e.getKey())) + ")")
                .toList();
        List<String> prefixes = FineTuningMethods.adapters().stream().map(m -> "." + m.tensorPrefix()).toList();
        List<String> unexpected = fileShapes.keySet().stream().filter(k -> !want.containsKey(k)
                && prefixes.stream().anyMatch(k::contains)).toList();
        if (!missing.isEmpty() || !bad.isEmpty() || !unexpected.isEmpty()) {
            throw new AdapterLoadException(file, missing, unexpected, bad);
        }
    }

    /**
     * ΔW of the target at {@code path} (float32, (d_out, d_in)).
     * @param w       the target's base weight (d_out, d_in), any float dtype
     * @param tensors adapter tensors by file key ({@link AdapterPlan#tensorKeys})
     */
    public Tensor deltaW(String path, Tensor w, Function<String, Tensor> tensors) {
        AdapterTarget t = plan.target(path);
        if (w.dim() != 2 || w.size(0) != t.dOut() || w.size(1) != t.dIn()) {
            throw new IllegalArgumentException(path + ": weight shape " + Arrays.toString(w.shape())
                    + " differs from the planned (" + t.dOut() + ", " + t.dIn() + ")");
        }
        return plan.config().method().deltaW(plan, t, w, plan.tensorKeys(t).stream().map(tensors).toList());
    }

    /**
     * The merged bias (d_out, float32) of the target at {@code path} when the method changes biases on merge ((IA)³),
     * else null.
     * @param bias    the target's base bias, any float dtype
     * @param tensors adapter tensors by file key ({@link AdapterPlan#tensorKeys})
     */
    public @Nullable Tensor mergedBias(String path, Tensor bias, Function<String, Tensor> tensors) {
        AdapterTarget t = plan.target(path);
        if (bias.dim() != 1 || bias.size(0) != t.dOut()) {
            throw new IllegalArgumentException(path + ": bias shape " + Arrays.toString(bias.shape())
                    + " differs from the planned (" + t.dOut() + ")");
        }
        try (var g = Grad.disabled()) {
            return plan.config().method().mergedBias(plan, t, bias, plan.tensorKeys(t).stream().map(tensors).toList());
        }
    }

    /** W + ΔW in float32 (a new tensor; {@code w} is untouched). */
    public Tensor merged(String path, Tensor w, Function<String, Tensor> tensors) {
        try (Tensor d = deltaW(path, w, tensors); var g = Grad.disabled();
                Tensor w32 = w.to(org.wegeft.kernels.DType.F32)) {
            return d.add(w32);
        }
    }
}
