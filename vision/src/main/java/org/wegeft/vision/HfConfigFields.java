package org.wegeft.vision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.wegeft.nn.ConfigFields;

/**
 * The fields every Hugging Face vision {@code config.json} shares, read the same way for each family: the label set
 * ({@code id2label}, else {@code num_labels}) and the image normalisation of a {@code preprocessor_config.json} beside
 * it. Errors name the file and the key.
 */
public final class HfConfigFields {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HfConfigFields() {
    }

    /** The class names of {@code id2label} by id (ids must be 0..n−1); empty without one. */
    public static List<String> labels(ConfigFields r) {
        List<String> labels = new ArrayList<>();
        JsonNode id2label = r.root().get("id2label");
        if (id2label != null && id2label.isObject()) {
            TreeMap<Integer, String> byId = new TreeMap<>();
            for (var it = id2label.fields(); it.hasNext(); ) {
                var e = it.next();
                try {
                    byId.put(Integer.parseInt(e.getKey()), e.getValue().asText());
                } catch (NumberFormatException ex) {
                    throw r.error("id2label", "has a non-integer id \"" + e.getKey() + "\"");
                }
            }
            if (!byId.isEmpty() && (byId.firstKey() != 0 || byId.lastKey() != byId.size() - 1)) {
                throw r.error("id2label", "ids must be 0.." + (byId.size() - 1) + ", got " + byId.keySet());
            }
            labels.addAll(byId.values());
        } else if (id2label != null && !id2label.isNull()) {
            throw r.error("id2label", "must be an object of id → name");
        }
        return labels;
    }

    /** The number of classes: the size of {@code id2label} when given, else {@code num_labels} (default 0). */
    public static int numLabels(ConfigFields r) {
        JsonNode id2label = r.root().get("id2label");
        return id2label != null && !id2label.isNull() ? labels(r).size() : r.wholeNumber("num_labels", 0);
    }

    /**
     * The input of a model of {@code size} pixels: mean, std and resample of {@code preprocessor} when that file
     * exists ({@code image_mean}, {@code image_std}, PIL's {@code resample} code 3 = bicubic), else the defaults.
     */
    public static ImageInput input(ConfigFields r, Path preprocessor, int size, List<Double> mean, List<Double> std,
            String interpolation) {
        if (!Files.isRegularFile(preprocessor)) {
            return new ImageInput(size, mean, std, interpolation);
        }
        try {
            ConfigFields pp = r.with(preprocessor.toString(), JSON.readTree(preprocessor.toFile()));
            String resample = pp.get("resample") == null ? interpolation
                    : pp.wholeNumber("resample", 2) == 3 ? "bicubic" : "bilinear";
            return new ImageInput(size, pp.numbers("image_mean", mean), pp.numbers("image_std", std), resample);
        } catch (IOException e) {
            throw new VitConfigException(preprocessor.toString(), "(file)", "cannot be read: " + e.getMessage());
        }
    }
}
