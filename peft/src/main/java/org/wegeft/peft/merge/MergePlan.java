package org.wegeft.peft.merge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.wegeft.peft.AdapterConfig;
import org.wegeft.peft.AdapterLoadException;
import org.wegeft.peft.AdapterPlan;
import org.wegeft.peft.Merger;
import org.wegeft.tensor.SafetensorsFile;
import org.wegeft.tensor.ShardedSafetensors;
import org.wegeft.tensor.TensorInfo;
import org.wegeft.tensor.bnb.BnbQuantization;

/**
 * Everything a folder merge checks before it writes a byte, computed from file headers alone (no tensor
 * data is read): the adapter config, the model's shards and shapes, the targets the config selects, the adapter
 * tensors it needs (present, expected, right shape, float dtype), the model tensors the adapter replaces (biases,
 * {@code modules_to_save}), the other files to copy and the output folder. Holds the opened (memory-mapped)
 * files until closed.
 *
 * <pre>
 *   model tensor  "model.layers.0.self_attn.q_proj.weight"        → target (W + ΔW)
 *   adapter key   "base_model.model.model.layers.0.self_attn.q_proj.wegeft_phi.weight"
 *   adapter key   "base_model.model.<model tensor>" (e.g. a bias) → replaces that model tensor
 * </pre>
 */
public final class MergePlan implements AutoCloseable {
    static final String CONFIG = "config.json";
    static final String ADAPTER_WEIGHTS = "adapter_model.safetensors";
    private static final Set<String> FLOAT = Set.of("F32", "BF16", "F16");

    final Path model;
    final Path adapter;
    final Path out;
    final @Nullable String outDtype;
    final AdapterConfig config;
    final ShardedSafetensors checkpoint;
    final SafetensorsFile adapterFile;
    final Merger merger;
    /** model tensor name → adapter key that replaces it. */
    final Map<String, String> replaced;
    /** files of the model folder to copy as they are, relative to it. */
    final List<Path> otherFiles;
    final @Nullable Path index;
    /** the quantized model folder the adapter was trained on, when {@link #model} is its full-precision base. */
    final @Nullable Path quantizedModel;
    /** replace a non-empty {@link #out}. */
    final boolean force;

    private MergePlan(Path model, Path adapter, Path out, @Nullable String outDtype, AdapterConfig config,
            ShardedSafetensors checkpoint, SafetensorsFile adapterFile, Merger merger, Map<String, String> replaced,
            List<Path> otherFiles, @Nullable Path index, @Nullable Path quantizedModel, boolean force) {
        this.quantizedModel = quantizedModel;
        this.force = force;
        this.model = model;
        this.adapter = adapter;
        this.out = out;
        this.outDtype = outDtype;
        this.config = config;
        this.checkpoint = checkpoint;
        this.adapterFile = adapterFile;
        this.merger = merger;
        this.replaced = replaced;
        this.otherFiles = otherFiles;
        this.index = index;
    }

    /**
     * Validates every input.
     *
     * @param model    a Hugging Face model folder: config.json and model.safetensors, or shards and their index
     * @param adapter  a PEFT adapter folder: adapter_config.json and adapter_model.safetensors
     * @param out      the merged folder to write (absent or empty, unless {@code force})
     * @param outDtype null to keep each tensor's dtype, else "F32" or "BF16"
     * @param force    replace a non-empty {@code out}
     * @throws IllegalArgumentException for bad folders, and the typed exceptions of the readers
     *         ({@code SafetensorsException}, {@code AdapterConfigException}, {@code AdapterTargetException},
     *         {@code AdapterLoadException}), each naming the file and key at fault
     */
    public static MergePlan prepare(Path model, Path adapter, Path out, @Nullable String outDtype, boolean force) {
        return prepare(model, null, adapter, out, outDtype, force);
    }

    /**
     * Validates every input, for a model whose weights may be quantized. An adapter trained on a quantized model
     * (config.json with a {@code quantization_config}, e.g. a bitsandbytes 4-bit folder) is folded into the
     * full-precision weights of the same model, {@code base}: merging into the quantized codes would lose it.
     *
     * @param base the full-precision weights to fold into, required when {@code model} is quantized and refused
     *             otherwise; its tensors must match the model's by name and (logical) shape
     * @throws IllegalArgumentException for a quantized model without a base, or a base that does not fit it
     * @see #prepare(Path, Path, Path, String, boolean)
     */
    public static MergePlan prepare(Path model, @Nullable Path base, Path adapter, Path out, @Nullable String outDtype,
            boolean force) {
        model = model.toAbsolutePath().normalize();
        adapter = adapter.toAbsolutePath().normalize();
        out = out.toAbsolutePath().normalize();
        requireDir(model, "model folder");
        requireDir(adapter, "adapter folder");
        requireFile(model.resolve(CONFIG), "model folder");
        requireFile(adapter.resolve(AdapterConfig.FILE_NAME), "adapter folder");
        requireFile(adapter.resolve(ADAPTER_WEIGHTS), "adapter folder");
        @Nullable Path quantized = null;
        if (base != null) {
            base = base.toAbsolutePath().normalize();
            requireDir(base, "base folder");
            requireFile(base.resolve(CONFIG), "base folder");
            QuantizedBase.check(model, base);
            checkOut(model, adapter, out, force);
            quantized = model;
            model = base;
        } else if (BnbQuantization.declared(model)) {
            throw new IllegalArgumentException("model folder " + model + ": holds quantized weights (config.json has"
                    + " a quantization_config), which cannot take the adapter; give the full-precision weights of"
                    + " this model to fold it into as the base folder (merge --base DIR)");
        }
        checkOut(model, adapter, out, force);
        AdapterConfig config = AdapterConfig.read(adapter.resolve(AdapterConfig.FILE_NAME));
        ShardedSafetensors ck = ShardedSafetensors.open(model);
        SafetensorsFile af = null;
        try {
            af = SafetensorsFile.open(adapter.resolve(ADAPTER_WEIGHTS));
            Merger merger = Merger.of(config, linearShapes(ck), adapter.resolve(AdapterConfig.FILE_NAME).toString());
            Map<String, String> replaced = checkAdapter(merger, ck, af);
            Path index = Files.isRegularFile(model.resolve(ShardedSafetensors.INDEX))
                    ? model.resolve(ShardedSafetensors.INDEX) : null;
            List<Path> other = otherFiles(model, ck, index);
            return new MergePlan(model, adapter, out, outDtype, config, ck, af, merger, replaced, other, index,
                    quantized, force);
        } catch (RuntimeException e) {
            if (af != null) {
                af.close();
            }
            ck.close();
            throw e;
        }
    }

    /** The adapter's configuration. */
    public AdapterConfig config() {
        return config;
    }

    /** The folder whose weights are merged (the base, when one was given), absolute. */
    public Path weights() {
        return model;
    }

    /** The quantized model folder the adapter was trained on, when the merge folds into its base; else null. */
    public @Nullable Path quantizedModel() {
        return quantizedModel;
    }

    /** The output folder, absolute. */
    public Path out() {
        return out;
    }

    private static void requireDir(Path p, String what) {
        if (!Files.isDirectory(p)) {
            throw new IllegalArgumentException(what + " " + p + ": not a folder");
        }
    }

    private static void requireFile(Path p, String what) {
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(what + " " + p.getParent() + ": missing " + p.getFileName());
        }
    }

    /** {@link #checkOut(Path, Path, Path, boolean)} for this plan: the output folder is still absent or empty. */
    void checkOut() {
        checkOut(model, adapter, out, force);
    }

    private static void checkOut(Path model, Path adapter, Path out, boolean force) {
        for (Path in : List.of(model, adapter)) {
            if (in.startsWith(out) || out.equals(in)) {
                throw new IllegalArgumentException("output folder " + out + ": would overwrite the input " + in);
            }
        }
        if (out.getParent() == null) {
            throw new IllegalArgumentException("output folder " + out + ": cannot be the root folder");
        }
        if (!Files.exists(out)) {
            return;
        }
        if (!Files.isDirectory(out)) {
            throw new IllegalArgumentException("output folder " + out + ": exists and is not a folder");
        }
        try (Stream<Path> s = Files.list(out)) {
            if (s.findAny().isPresent() && !force) {
                throw new IllegalArgumentException("output folder " + out + ": exists and is not empty (force replaces it)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("output folder " + out + ": cannot list: " + e.getMessage(), e);
        }
    }

    /**
     * Every 2-D {@code *.weight} of the checkpoint but the token embedding ({@code embed_tokens}, an Embedding) as a
     * Linear: module path → {out, in}. A file does not record
     * module order, so paths are put in natural order (numbers compared as numbers: {@code layers.2} before
     * {@code layers.10}); the first layer of a WeGeFT tie group, which owns the pair, is then layer 0 as in
     * PEFT. (A group joining several names in one layer, e.g. q and k, is owned by the alphabetically first.)
     */
    static Map<String, long[]> linearShapes(ShardedSafetensors ck) {
        Map<String, long[]> found = new java.util.TreeMap<>(MergePlan::compareNatural);
        for (SafetensorsFile f : ck.shards()) {
            for (TensorInfo t : f.tensors()) {
                if (t.name().endsWith(".weight") && t.shape().length == 2 && !t.name().contains("embed_tokens.")) {
                    found.put(t.name().substring(0, t.name().length() - ".weight".length()), t.shape());
                }
            }
        }
        return new LinkedHashMap<>(found);
    }

    /** Dotted paths compared segment by segment, all-digit segments as numbers. */
    static int compareNatural(String a, String b) {
        String[] x = a.split("\\.", -1);
        String[] y = b.split("\\.", -1);
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            boolean nx = !x[i].isEmpty() && x[i].chars().allMatch(Character::isDigit);
            boolean ny = !y[i].isEmpty() && y[i].chars().allMatch(Character::isDigit);
            int c = nx && ny ? new java.math.BigInteger(x[i]).compareTo(new java.math.BigInteger(y[i]))
                    : x[i].compareTo(y[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }

    /**
     * Checks the adapter file against the plan and the model; returns the model tensors it replaces.
     * @throws AdapterLoadException naming the adapter file and every missing, unexpected or mis-shaped key
     */
    private static Map<String, String> checkAdapter(Merger merger, ShardedSafetensors ck, SafetensorsFile af) {
        String file = af.path().toString();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        af.tensors().forEach(t -> shapes.put(t.name(), t.shape()));
        merger.checkAdapter(shapes, file);
        Map<String, long[]> needed = merger.plan().adapterShapes();
        Map<String, String> replaced = new LinkedHashMap<>();
        List<String> unexpected = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        for (TensorInfo t : af.tensors()) {
            if (needed.containsKey(t.name())) {
                if (!FLOAT.contains(t.dtype())) {
                    bad.add(t.name() + " (dtype " + t.dtype() + ", expected F32, BF16 or F16)");
                }
                continue;
            }
            String target = modelName(t.name());
            if (target == null || !ck.contains(target)) {
                unexpected.add(t.name());
                continue;
            }
            TensorInfo m = ck.info(target);
            if (!Arrays.equals(m.shape(), t.shape())) {
                bad.add(t.name() + " (expected " + Arrays.toString(m.shape()) + " like " + target + ", got "
                        + Arrays.toString(t.shape()) + ")");
            } else if (!m.dtype().equals(t.dtype()) && !(FLOAT.contains(m.dtype()) && FLOAT.contains(t.dtype()))) {
                bad.add(t.name() + " (dtype " + t.dtype() + " cannot replace " + m.dtype() + " " + target + ")");
            } else {
                replaced.put(target, t.name());
            }
        }
        for (String path : merger.plan().targets().stream().map(a -> a.path() + ".weight").toList()) {
            TensorInfo w = ck.info(path);
            if (!FLOAT.contains(w.dtype())) {
                throw new IllegalArgumentException(ck.shardOf(path).path() + ": " + path + ": target weight has dtype "
                        + w.dtype() + ", expected F32, BF16 or F16");
            }
        }
        if (!unexpected.isEmpty() || !bad.isEmpty()) {
            throw new AdapterLoadException(file, List.of(), unexpected, bad);
        }
        return replaced;
    }

    /** The model tensor an adapter key names ({@code base_model.model.X}, PEFT's {@code .modules_to_save.} cut). */
    private static @Nullable String modelName(String key) {
        if (!key.startsWith(AdapterPlan.PREFIX)) {
            return null;
        }
        return key.substring(AdapterPlan.PREFIX.length()).replace(".modules_to_save.", ".");
    }

    /** Files under the model folder other than the shards and the index, relative, sorted. */
    private static List<Path> otherFiles(Path model, ShardedSafetensors ck, @Nullable Path index) {
        Set<Path> skip = new java.util.HashSet<>();
        ck.shards().forEach(f -> skip.add(f.path().toAbsolutePath().normalize()));
        if (index != null) {
            skip.add(index);
        }
        try (Stream<Path> s = Files.walk(model)) {
            return s.filter(Files::isRegularFile).map(p -> p.toAbsolutePath().normalize())
                    .filter(p -> !skip.contains(p)).map(model::relativize).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("model folder " + model + ": cannot list: " + e.getMessage(), e);
        }
    }

    /** The dtype a tensor of {@code dtype} is written in. */
    String outDtype(String dtype) {
        return outDtype != null && FLOAT.contains(dtype) ? outDtype : dtype;
    }

    boolean isTarget(String tensorName) {
        return tensorName.endsWith(".weight")
                && merger.isTarget(tensorName.substring(0, tensorName.length() - ".weight".length()));
    }

    /** Whether {@code tensorName} is the bias of a target (merging may change it: (IA)³ scales it). */
    boolean isTargetBias(String tensorName) {
        return tensorName.endsWith(".bias")
                && merger.isTarget(tensorName.substring(0, tensorName.length() - ".bias".length()));
    }

    @Override
    public void close() {
        adapterFile.close();
        checkpoint.close();
    }
}
