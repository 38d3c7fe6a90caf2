package org.wegeft.vision.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.wegeft.kernels.io.AtomicFiles;
import org.wegeft.nn.ConfigFields;
import org.wegeft.vision.HfConfigFields;
import org.wegeft.vision.ImageInput;
import org.wegeft.vision.VitConfigException;

/**
 * Reads a Hugging Face vision {@code config.json} into an {@link HfVisionConfig}: the file's own fields, or for a
 * full CLIP / SigLIP checkpoint its {@code vision_config} (labels stay top-level, as transformers keeps them), with
 * the family's defaults for what is absent and the normalisation of a {@code preprocessor_config.json} beside it.
 */
final class HfVisionConfigJson {
    static final String FILE = "config.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HfVisionConfigJson() {
    }

    /** The {@code model_type} of {@code dir}'s config.json ("" without one). */
    static String modelType(Path dir) {
        Path file = Files.isDirectory(dir) ? dir.resolve(FILE) : dir;
        return ConfigFields.read(file, VitConfigException::new, ConfigFields.Wording.MUST_BE).string("model_type", "");
    }

    static HfVisionConfig read(Path dir, HfDefaults d) {
        Path file = Files.isDirectory(dir) ? dir.resolve(FILE) : dir;
        ConfigFields top = ConfigFields.read(file, VitConfigException::new, ConfigFields.Wording.MUST_BE);
        JsonNode nested = top.get("vision_config");
        if (nested != null && !nested.isObject()) {
            throw top.error("vision_config", "must be an object, got " + nested);
        }
        ConfigFields r = nested != null ? top.with(file + " (vision_config)", nested) : top;
        int hidden = r.wholeNumber("hidden_size", 768);
        int intermediate = r.get("intermediate_size") != null || r.get("mlp_ratio") == null
                ? r.wholeNumber("intermediate_size", 4 * hidden)
                : (int) Math.floor(hidden * r.number("mlp_ratio", 4.0) + 1e-9);   // DINOv2: int(hidden · mlp_ratio)
        String act = r.string("hidden_act", d.hiddenAct());
        Activations.check(act, r);
        int size = r.wholeNumber("image_size", 224);
        ImageInput input = HfConfigFields.input(top, file.resolveSibling("preprocessor_config.json"), size, d.mean(),
                d.std(), d.interpolation());
        ObjectNode json = ((ObjectNode) (nested != null ? nested : top.root())).deepCopy();
        return new HfVisionConfig(file.toString(), top.string("model_type", ""), size,
                r.wholeNumber("patch_size", d.patchSize()), r.wholeNumber("num_channels", 3), hidden,
                r.wholeNumber("num_hidden_layers", 12), r.wholeNumber("num_attention_heads", 12), intermediate, act,
                r.number("layer_norm_eps", d.layerNormEps()), r.bool("qkv_bias", true),
                r.bool("use_swiglu_ffn", false), r.wholeNumber("num_register_tokens", d.registers()),
                r.number("drop_path_rate", 0.0), HfConfigFields.labels(top), HfConfigFields.numLabels(top), input,
                json);
    }

    /**
     * Writes {@code c} as the config of a model of {@code modelType} (a full CLIP / SigLIP config becomes its vision
     * tower's), with its current labels, atomically.
     */
    static void write(HfVisionConfig c, String modelType, Path file) {
        ObjectNode o = c.json().deepCopy();
        o.put("model_type", modelType);
        o.put("num_labels", c.numLabels());
        ObjectNode id2label = o.putObject("id2label");
        ObjectNode label2id = o.putObject("label2id");
        for (int i = 0; i < c.numLabels(); i++) {
            String name = c.labels().isEmpty() ? "LABEL_" + i : c.labels().get(i);
            id2label.put(Integer.toString(i), name);
            label2id.put(name, i);
        }
        try {
            AtomicFiles.writeString(file, JSON.writeValueAsString(o));
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file + " failed", e);
        }
    }
}
