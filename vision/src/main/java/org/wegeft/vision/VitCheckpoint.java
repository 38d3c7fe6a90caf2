package org.wegeft.vision;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    private VitCheckpoint() {
    }

    static VisionTransformer load(Path dir, VitConfig config, boolean strict) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        try (ShardedSafetensors st = ShardedSafetensors.open(dir)) {
            List<String> keys = st.tensors().stream().map(TensorInfo::name).toList();
            HfVitKeys.Naming naming = HfVitKeys.detect(keys);
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
            resamplePosEmbed(state, config, dir);
            VisionTransformer model = new VisionTransformer(config, 0);
            model.load(state, strict, st.source() + (naming == HfVitKeys.Naming.TIMM ? ""
                    : " (" + naming.description() + " mapped to timm names)"));
            return model;
        } finally {
            state.values().forEach(Tensor::close);
        }
    }

    /** Resizes a pos_embed whose patch grid differs from the config's (prefix tokens kept). */
    private static void resamplePosEmbed(Map<String, Tensor> state, VitConfig config, Path dir) {
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
