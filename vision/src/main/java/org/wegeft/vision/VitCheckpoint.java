package org.wegeft.vision;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.wegeft.nn.ConfigFields;
import org.wegeft.nn.ConfigSizes;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.SafetensorsWriter;
import org.wegeft.tensor.ShardedSafetensors;
import org.wegeft.tensor.Storage;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorInfo;

/**
 * Loading and saving {@link VisionTransformer} folders. Keys are read in timm names, or in Hugging Face
 * {@code ViTForImageClassification} ({@code vit.…}, {@code classifier}) / {@code ViTModel} (no prefix, pooler
 * ignored) names mapped to timm's ({@link HfVitKeys}); the naming is detected from the keys.
 */
final class VitCheckpoint {
    private static final System.Logger LOG = System.getLogger(VitCheckpoint.class.getName());

    /** How far a stored pos_embed grid may be enlarged per side (a larger image size is refused as implausible). */
    static final int MAX_RESAMPLE = 4;

    private VitCheckpoint() {
    }

    static VisionTransformer load(Path dir, VitConfig config, boolean strict) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        try (ShardedSafetensors st = ShardedSafetensors.open(dir)) {
            List<String> keys = st.tensors().stream().map(TensorInfo::name).toList();
            HfVitKeys.Naming naming = HfVitKeys.detect(keys);
            Path file = dir.resolve(VitConfigJson.FILE);
            boolean hfKeys = Files.isRegularFile(file) && ConfigFields.read(file, VitConfigException::new,
                    ConfigFields.Wording.MUST_BE).root().has("hidden_size");
            Map<String, long[]> shapes = new HashMap<>();
            st.tensors().forEach(t -> shapes.put(t.name(), t.shape()));
            sizes(config, naming, hfKeys).check(shapes, file.toString(), st.source().toString(),
                    VitConfigException::new);
            for (String key : keys) {
                try (Storage s = st.storage(key); Tensor mapped = Tensor.wrap(s, st.info(key).shape())) {
                    state.put(key, Tensor.zeros(mapped.shape()).copyFrom(mapped)); // F32 copy, off the mapping
                }
            }
            if (naming != HfVitKeys.Naming.TIMM) {
                List<String> notes = new ArrayList<>();
                Map<String, Tensor> renamed = HfVitKeys.toTimm(state, naming, config.depth(), notes);
                state = renamed;
                if (!state.containsKey("head.weight") && config.numClasses() > 0) {
                    notes.add(dir + ": no classifier in the checkpoint, so num_classes " + config.numClasses()
                            + " → 0 (features only; use resetHead for a new label set)");
                    config = config.withNumClasses(0);
                }
                notes.forEach(n -> LOG.log(Level.INFO, n));
            }
            resamplePosEmbed(state, config, dir, hfKeys ? "image_size" : "img_size");
            VisionTransformer model = new VisionTransformer(config, 0);
            model.load(state, strict, st.source() + (naming == HfVitKeys.Naming.TIMM ? ""
                    : " (" + naming.description() + " mapped to timm names)"));
            return model;
        } finally {
            state.values().forEach(Tensor::close);
        }
    }

    /**
     * The config values that size a timm-layout ViT, each tied to the checkpoint tensor that carries it, under the
     * key names the config file uses (timm's, or Hugging Face's when it has {@code hidden_size}).
     */
    static ConfigSizes sizes(VitConfig c, HfVitKeys.Naming naming, boolean hfKeys) {
        String p = naming == HfVitKeys.Naming.HF_CLASSIFICATION ? "vit." : "";
        boolean timm = naming == HfVitKeys.Naming.TIMM;
        String blocks = timm ? "blocks." : p + "encoder.layer.";
        String patch = timm ? "patch_embed.proj.weight" : p + "embeddings.patch_embeddings.projection.weight";
        String fc1 = timm ? "blocks.0.mlp.fc1.weight" : p + "encoder.layer.0.intermediate.dense.weight";
        return new ConfigSizes()
                .layers(hfKeys ? "num_hidden_layers" : "depth", c.depth(), blocks)
                .dim(hfKeys ? "hidden_size" : "embed_dim", c.embedDim(), patch, 0)
                .dim(hfKeys ? "num_channels" : "in_chans", c.inChans(), patch, 1)
                .dim("patch_size", c.patchSize(), patch, 2)
                .dim(hfKeys ? "intermediate_size" : "mlp_ratio", hfKeys ? String.valueOf(c.mlpHidden())
                        : c.mlpRatio() + " (× embed_dim " + c.embedDim() + " = " + c.mlpHidden() + ")",
                        c.mlpHidden(), fc1, 0);
    }

    /** Resizes a pos_embed whose patch grid differs from the config's (prefix tokens kept). */
    private static void resamplePosEmbed(Map<String, Tensor> state, VitConfig config, Path dir, String sizeKey) {
        Tensor pos = state.get("pos_embed");
        if (pos == null || pos.dim() != 3 || pos.size(1) == config.seqLen() || pos.size(2) != config.embedDim()) {
            return; // absent or another width: strict loading reports it by name
        }
        int prefix = config.numPrefixTokens();
        long patches = pos.size(1) - prefix;
        int old = (int) Math.round(Math.sqrt(patches));
        if (patches <= 0 || (long) old * old != patches) {
            throw new IllegalArgumentException(dir + ": pos_embed " + Arrays.toString(pos.shape()) + " minus " + prefix
                    + " prefix token(s) is not a square patch grid; cannot resample it to "
                    + config.gridSize() + "x" + config.gridSize());
        }
        if (config.gridSize() > MAX_RESAMPLE * old) {
            Path file = dir.resolve(VitConfigJson.FILE);
            throw new VitConfigException(file.toString(), sizeKey, "is " + config.imgSize() + " (a "
                    + config.gridSize() + "x" + config.gridSize() + " patch grid) but " + dir + " stores pos_embed for"
                    + " a " + old + "x" + old + " grid; resampling is allowed up to " + MAX_RESAMPLE + "x per side");
        }
        LOG.log(Level.INFO, () -> dir + ": resampling pos_embed from a " + old + "x" + old + " to a "
                + config.gridSize() + "x" + config.gridSize() + " patch grid (bicubic)");
        state.put("pos_embed", PosEmbedResample.resample(pos, prefix, old, config.gridSize()));
        pos.close();
    }

    static void save(VisionTransformer model, Path dir) throws IOException {
        Files.createDirectories(dir);
        SafetensorsWriter.save(dir.resolve(ShardedSafetensors.SINGLE), model.stateDict(), Map.of());
        model.config().write(dir.resolve(VitConfigJson.FILE));
    }

    /** q, k, v (each (C, …)) → (3C, …) under no-grad. */
    static Tensor concat(Tensor q, Tensor k, Tensor v) {
        try (var g = Grad.disabled()) {
            return Functional.cat(List.of(q, k, v), 0);
        }
    }
}
