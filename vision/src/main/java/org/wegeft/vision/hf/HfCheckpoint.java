package org.wegeft.vision.hf;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.SafetensorsWriter;
import org.wegeft.tensor.ShardedSafetensors;
import org.wegeft.tensor.Storage;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorInfo;
import org.wegeft.vision.VitConfigException;

/**
 * Loading and saving Hugging Face vision folders. Tensors keep their names; a base-model checkpoint
 * ({@code ViTModel}, {@code Dinov2Model}: keys from {@code embeddings.}, {@code encoder.}, …) gets the family's prefix
 * as transformers does when a classification model loads it, and the tensors the family does not use (a pooler, a
 * text tower) are dropped with one log line per reason. Without classifier tensors the model has no head (0
 * classes) whatever {@code id2label} says; a config without labels takes the class count from the classifier.
 */
final class HfCheckpoint {
    private static final System.Logger LOG = System.getLogger(HfCheckpoint.class.getName());
    // the children of a transformers base model, which a classification checkpoint holds under the prefix
    private static final Set<String> BASE_CHILDREN = Set.of("embeddings", "encoder", "layernorm", "pooler");

    private HfCheckpoint() {
    }

    static HfImageClassifier load(Path dir, HfFamily family, boolean strict) {
        HfVisionConfig c = HfVisionConfigJson.read(dir, family.defaults(HfVisionConfigJson.modelType(dir)));
        String prefix = family.prefix(c);
        Map<String, Tensor> state = new LinkedHashMap<>();
        try (ShardedSafetensors st = ShardedSafetensors.open(dir)) {
            Map<String, long[]> shapes = new LinkedHashMap<>();
            Map<String, TensorInfo> read = new LinkedHashMap<>();
            Set<String> dropped = new LinkedHashSet<>();
            for (TensorInfo info : st.tensors()) {
                String key = info.name();
                String name = BASE_CHILDREN.contains(key.substring(0, Math.max(0, key.indexOf('.'))))
                        ? prefix + "." + key : key;
                String why = family.ignored(name);
                if (why != null) {
                    dropped.add(why);
                    continue;
                }
                shapes.put(name, info.shape());
                read.put(name, info);
            }
            family.sizes(c, shapes).check(shapes, c.source(), st.source().toString(), VitConfigException::new);
            for (var e : read.entrySet()) {
                TensorInfo info = e.getValue();
                try (Storage s = st.storage(info.name()); Tensor mapped = Tensor.wrap(s, info.shape())) {
                    state.put(e.getKey(), Tensor.zeros(mapped.shape()).copyFrom(mapped));   // F32 copy, off the mapping
                }
            }
            dropped.forEach(why -> LOG.log(Level.INFO, () -> dir + ": not reading " + why));
            HfImageClassifier model = family.build(c, shapes, new SplittableRandom(0));
            long[] head = shapes.get(model.headModules().get(0) + ".weight");
            if (head == null && c.numLabels() > 0) {
                LOG.log(Level.INFO, () -> dir + ": no classifier in the checkpoint, so num_labels " + c.numLabels()
                        + " → 0 (features only; use resetHead for a new label set)");
                model.resetHead(0, List.of(), new SplittableRandom(0));
            } else if (head != null && head.length == 2 && c.numLabels() == 0) {
                model.resetHead(Math.toIntExact(head[0]), List.of(), new SplittableRandom(0));   // classes from the file
            }
            try (var g = Grad.disabled()) {
                model.loadStateDict(state, strict, st.source() + " (Hugging Face " + family.label() + " names)");
            }
            return model;
        } finally {
            state.values().forEach(Tensor::close);
        }
    }

    static void save(HfImageClassifier model, Path dir) throws IOException {
        Files.createDirectories(dir);
        SafetensorsWriter.save(dir.resolve(ShardedSafetensors.SINGLE), model.stateDict(), Map.of());
        HfVisionConfigJson.write(model.config(), model.family().savedModelType(model.config()),
                dir.resolve(HfVisionConfigJson.FILE));
    }
}
