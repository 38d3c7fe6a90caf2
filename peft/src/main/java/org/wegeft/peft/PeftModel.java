package org.wegeft.peft;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.Linear;
import org.wegeft.nn.Module;
import org.wegeft.tensor.SafetensorsFile;
import org.wegeft.tensor.Tensor;

/**
 * A model with an adapter (or a baseline) applied: the facade for inject, merge, unmerge, mergeAndUnload,
 * the trainable report and adapter save / load.
 *
 * <p>Naming. Each target Linear at {@code P} is replaced (via {@link Module#replace}) by a tuner layer whose
 * children are {@code base_layer} (the original Linear, frozen) and the adapter weights, so model parameter paths
 * are {@code P.base_layer.weight}, then the method's tensors ({@code P.wegeft_phi.weight}, {@code P.lora_A.weight},
 * …) as in PEFT. In the adapter file every trainable parameter is stored as {@code base_model.model.<path>} with
 * {@code .base_layer} removed: {@code base_model.model.P.wegeft_phi.weight}, {@code base_model.model.head.weight}
 * (modules_to_save, trained in place), {@code base_model.model.P.bias} (bias = all / *_only). Tensors a tie group
 * shares appear once, under the first layer of its group.
 */
public final class PeftModel {
    private final Module model;
    private final @Nullable AdapterConfig config;
    private final @Nullable Baseline baseline;
    private final Map<String, AdapterLayer> layers;
    private boolean unloaded;

    private PeftModel(Module model, @Nullable AdapterConfig config, @Nullable Baseline baseline,
            Map<String, AdapterLayer> layers) {
        this.model = model;
        this.config = config;
        this.baseline = baseline;
        this.layers = layers;
    }

    /** The Linear modules of {@code model}: path → {out, in}, module order. */
    public static Map<String, long[]> linearShapes(Module model) {
        Map<String, long[]> out = new LinkedHashMap<>();
        model.namedModules().forEach((p, m) -> {
            if (m instanceof Linear l && !p.isEmpty()) {
                out.put(p, new long[] {l.outFeatures(), l.inFeatures()});
            }
        });
        return out;
    }

    /**
     * Replaces every target Linear of {@code model} by a tuner layer, freezes everything else (except
     * modules_to_save and the biases {@code bias} asks for). Adapter tensors are initialised from {@code seed}.
     * @throws AdapterTargetException when targets match nothing or a tie group has unequal d_in
     */
    public static PeftModel inject(Module model, AdapterConfig config, long seed) {
        AdapterPlan plan = AdapterPlan.of(config, linearShapes(model), "adapter config");
        model.requiresGrad(false);
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, AdapterLayer> layers = new LinkedHashMap<>();
        Map<String, List<AdapterWeight>> shared = new HashMap<>();
        for (AdapterTarget t : plan.targets()) {
            Linear base = (Linear) model.module(t.path());
            AdapterLayer layer = config.method().wrap(plan, base, t, shared, rng);
            model.replace(t.path(), (Module) layer);
            layers.put(t.path(), layer);
        }
        for (String name : config.modulesToSave()) {
            model.namedModules().forEach((p, m) -> {
                if (!p.isEmpty() && (p.equals(name) || p.endsWith("." + name))) {
                    m.requiresGrad(true);
                }
            });
        }
        switch (config.bias()) {
            case "all" -> model.namedParameters().forEach((p, t) -> {
                if (p.equals("bias") || p.endsWith(".bias")) {
                    t.requiresGrad(true);
                }
            });
            case "none" -> { }
            default -> layers.values().forEach(l -> {
                Tensor b = l.baseLayer().bias();
                if (b != null) {
                    b.requiresGrad(true);
                }
            });
        }
        return new PeftModel(model, config, null, layers);
    }

    /** Applies a baseline (no layers replaced). */
    public static PeftModel baseline(Module model, Baseline baseline) {
        baseline.apply(model);
        return new PeftModel(model, null, baseline, Map.of());
    }

    /** Reads {@code dir}'s config, injects it into {@code model} and loads the adapter tensors. */
    public static PeftModel fromPretrained(Module model, Path dir) {
        PeftModel pm = inject(model, AdapterConfig.read(dir), 0);
        pm.loadAdapter(dir);
        return pm;
    }

    public Module model() {
        return model;
    }

    public @Nullable AdapterConfig config() {
        return config;
    }

    public @Nullable Baseline baseline() {
        return baseline;
    }

    /** The tuner layers by target path. */
    public Map<String, AdapterLayer> adapterLayers() {
        return java.util.Collections.unmodifiableMap(layers);
    }

    /** Folds every adapter into its base weight (forward then costs what the base model costs). */
    public void merge() {
        checkLoaded();
        layers.values().forEach(AdapterLayer::merge);
    }

    /** Restores every base weight bit-exactly. */
    public void unmerge() {
        checkLoaded();
        layers.values().forEach(AdapterLayer::unmerge);
    }

    /** Merges, then puts the plain base Linears back in place of the tuner layers; returns the model. */
    public Module mergeAndUnload() {
        checkLoaded();
        for (var e : layers.entrySet()) {
            AdapterLayer l = e.getValue();
            l.merge();
            l.dropUnmergeCopy();
            model.replace(e.getKey(), l.baseLayer());
        }
        unloaded = true;
        return model;
    }

    private void checkLoaded() {
        if (unloaded) {
            throw new IllegalStateException("the adapters were unloaded by mergeAndUnload()");
        }
    }

    public TrainableReport trainableReport() {
        return new TrainableReport(model.trainableParameterCount(), model.parameterCount());
    }

    /** The adapter-file key of a model parameter path. */
    public static String fileKey(String paramPath) {
        return AdapterPlan.PREFIX + paramPath.replace(".base_layer.", ".");
    }

    /**
     * Every trainable parameter by adapter-file key (shared tensors once), in module order, then the frozen
     * model-wide tensors the layers read ({@link AdapterLayer#modelTensors()}, as {@code base_model.<name>}).
     */
    public Map<String, Tensor> adapterState() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        model.trainableParameters().forEach((p, t) -> out.put(fileKey(p), t));
        layers.values().forEach(l -> l.modelTensors().forEach((n, t) -> out.putIfAbsent("base_model." + n, t)));
        return out;
    }

    /**
     * Writes {@code adapter_model.safetensors} (float32) and, for an adapter, {@code adapter_config.json} into
     * {@code dir}; each file is written to a temporary name and renamed.
     */
    public void save(Path dir) throws IOException {
        save(dir, Map.of());
    }

    /**
     * {@link #save(Path)}, with {@code configFields} added to {@code adapter_config.json} where the config has no
     * field of that name ({@code task_type}, {@code base_model_name_or_path}: {@link AdapterConfig#write(Path, Map)}).
     */
    public void save(Path dir, Map<String, ?> configFields) throws IOException {
        Files.createDirectories(dir);
        AdapterFiles.write(dir.resolve(AdapterFiles.WEIGHTS), adapterState());
        if (config != null) {
            config.write(dir.resolve(AdapterConfig.FILE_NAME), configFields);
        }
    }

    /**
     * Loads {@code dir/adapter_model.safetensors} into the trainable parameters. Every key checked first:
     * @throws AdapterLoadException naming the file and every missing, unexpected or mis-shaped key
     */
    public void loadAdapter(Path dir) {
        if (layers.values().stream().anyMatch(AdapterLayer::isMerged)) {
            throw new IllegalStateException("unmerge() before loading an adapter");
        }
        Path file = dir.resolve(AdapterFiles.WEIGHTS);
        Map<String, Tensor> mine = adapterState();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Map<String, long[]> theirs = AdapterFiles.shapes(f);
            List<String> missing = new ArrayList<>();
            List<String> bad = new ArrayList<>();
            mine.forEach((k, t) -> {
                long[] s = theirs.get(k);
                if (s == null) {
                    missing.add(k);
                } else if (!Arrays.equals(s, t.shape())) {
                    bad.add(k + " (expected " + Arrays.toString(t.shape()) + ", got " + Arrays.toString(s) + ")");
                }
            });
            List<String> unexpected = theirs.keySet().stream().filter(k -> !mine.containsKey(k)).toList();
            if (!missing.isEmpty() || !bad.isEmpty() || !unexpected.isEmpty()) {
                throw new AdapterLoadException(file.toString(), missing, unexpected, bad);
            }
            mine.forEach((k, t) -> AdapterFiles.copyInto(f, k, t));
        }
    }
}
