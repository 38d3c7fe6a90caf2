package org.wegeft.vision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.wegeft.kernels.io.AtomicFiles;
import org.wegeft.nn.ConfigFields;

/**
 * Reads and writes {@link VitConfig} JSON. Three dialects are read: ours / timm's argument names
 * ({@code embed_dim}, …), a Hugging Face {@code ViTConfig} ({@code model_type "vit"}: {@code hidden_size}, …,
 * with mean/std from a {@code preprocessor_config.json} beside it when present), and a timm hub config that only
 * names a standard architecture ({@code vit_base_patch16_224}, sizes from timm's table, mean/std from
 * {@code pretrained_cfg}). Every bad value raises a {@link VitConfigException} naming the file and the key.
 */
final class VitConfigJson {
    static final String FILE = "config.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Pattern TIMM_ARCH = Pattern.compile("vit_(tiny|small|base|large|huge)_patch(\\d+)_(\\d+).*");
    // timm's standard widths: name → {embed_dim, depth, num_heads}
    private static final Map<String, int[]> TIMM_SIZES = Map.of("tiny", new int[] {192, 12, 3},
            "small", new int[] {384, 12, 6}, "base", new int[] {768, 12, 12}, "large", new int[] {1024, 24, 16},
            "huge", new int[] {1280, 32, 16});

    private VitConfigJson() {
    }

    static VitConfig read(Path dirOrFile) {
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve(FILE) : dirOrFile;
        ConfigFields r = ConfigFields.read(file, VitConfigException::new, ConfigFields.Wording.MUST_BE);
        JsonNode root = r.root();
        return r.namingSource(() -> {   // a record check names the record: name the file
            if (root.has("model_type") || root.has("hidden_size")) {
                return huggingFace(r, file.resolveSibling("preprocessor_config.json"));
            }
            if (!root.has("embed_dim") && root.has("architecture")) {
                return timmHub(r);
            }
            return ours(r);
        });
    }

    private static VitConfig ours(ConfigFields r) {
        int inChans = r.wholeNumber("in_chans", 3);
        String pool = r.string("global_pool", "token");
        JsonNode fc = r.root().get("fc_norm");
        boolean fcNorm = fc == null || fc.isNull() ? pool.equals("avg") : r.bool("fc_norm", false);
        int classes = r.wholeNumber("num_classes", 1000);
        return new VitConfig(size(r, "img_size", 224), size(r, "patch_size", 16), inChans, classes,
                r.wholeNumber("embed_dim", 768), r.wholeNumber("depth", 12), r.wholeNumber("num_heads", 12),
                r.number("mlp_ratio", 4.0), r.bool("qkv_bias", true), r.bool("class_token", true), pool, fcNorm,
                r.number("drop_path_rate", 0.0), r.number("layer_norm_eps", 1e-6),
                r.numbers("image_mean", List.of(0.5, 0.5, 0.5)), r.numbers("image_std", List.of(0.5, 0.5, 0.5)),
                r.string("interpolation", "bicubic"), r.strings("labels"));
    }

    private static VitConfig timmHub(ConfigFields r) {
        String arch = r.string("architecture", "");
        Matcher m = TIMM_ARCH.matcher(arch);
        if (!m.matches()) {
            throw r.error("architecture", "is not a timm ViT this reader knows (vit_{tiny|small|"
                    + "base|large|huge}_patch<P>_<S>…), got \"" + arch + "\"; give embed_dim, depth, num_heads instead");
        }
        int[] size = TIMM_SIZES.get(m.group(1));
        JsonNode cfg = r.root().path("pretrained_cfg");
        ConfigFields p = r.with(r.source(), cfg.isObject() ? cfg : JSON.createObjectNode());
        List<Double> input = p.numbers("input_size", List.of(3.0, (double) Integer.parseInt(m.group(3)),
                (double) Integer.parseInt(m.group(3))));
        return new VitConfig(input.get(input.size() - 1).intValue(), Integer.parseInt(m.group(2)), 3,
                r.wholeNumber("num_classes", 1000), size[0], size[1], size[2], 4.0, true, true,
                r.string("global_pool", "token"), false, 0.0, 1e-6, p.numbers("mean", List.of(0.5, 0.5, 0.5)),
                p.numbers("std", List.of(0.5, 0.5, 0.5)), p.string("interpolation", "bicubic"), List.of());
    }

    private static VitConfig huggingFace(ConfigFields r, Path preprocessor) {
        String type = r.string("model_type", "vit");
        if (!type.equals("vit")) {
            throw r.error("model_type", "must be \"vit\", got \"" + type + "\"");
        }
        String act = r.string("hidden_act", "gelu");
        if (!act.equals("gelu")) {
            throw r.error("hidden_act", "only \"gelu\" (erf) is supported, got \"" + act + "\"");
        }
        int hidden = r.wholeNumber("hidden_size", 768);
        if (hidden <= 0) {
            throw r.error("hidden_size", "must be a positive integer, got " + hidden);
        }
        int intermediate = r.wholeNumber("intermediate_size", 3072);
        if (intermediate <= 0) {
            throw r.error("intermediate_size", "must be a positive integer, got " + intermediate);
        }
        List<String> labels = HfConfigFields.labels(r);
        int classes = HfConfigFields.numLabels(r);
        // HF ViTImageProcessor's defaults: mean/std 0.5, bilinear resample
        int imageSize = size(r, "image_size", 224);
        ImageInput in = HfConfigFields.input(r, preprocessor, imageSize, List.of(0.5, 0.5, 0.5),
                List.of(0.5, 0.5, 0.5), "bilinear");
        return new VitConfig(imageSize, size(r, "patch_size", 16), r.wholeNumber("num_channels", 3),
                classes, hidden, r.wholeNumber("num_hidden_layers", 12), r.wholeNumber("num_attention_heads", 12),
                (double) intermediate / hidden, r.bool("qkv_bias", true), true, "token", false, 0.0,
                r.number("layer_norm_eps", 1e-12), in.mean(), in.std(), in.interpolation(), labels);
    }

    static void write(VitConfig c, Path file) {
        ObjectNode o = JSON.createObjectNode();
        o.put("architecture", "vision_transformer");
        o.put("img_size", c.imgSize());
        o.put("patch_size", c.patchSize());
        o.put("in_chans", c.inChans());
        o.put("num_classes", c.numClasses());
        o.put("embed_dim", c.embedDim());
        o.put("depth", c.depth());
        o.put("num_heads", c.numHeads());
        o.put("mlp_ratio", c.mlpRatio());
        o.put("qkv_bias", c.qkvBias());
        o.put("class_token", c.classToken());
        o.put("global_pool", c.globalPool());
        o.put("fc_norm", c.fcNorm());
        o.put("drop_path_rate", c.dropPathRate());
        o.put("layer_norm_eps", c.layerNormEps());
        c.imageMean().forEach(o.putArray("image_mean")::add);
        c.imageStd().forEach(o.putArray("image_std")::add);
        o.put("interpolation", c.interpolation());
        c.labels().forEach(o.putArray("labels")::add);
        try {
            AtomicFiles.writeString(file, JSON.writeValueAsString(o));
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file + " failed", e);
        }
    }

    /** An int or a square [h, w] pair. */
    private static int size(ConfigFields r, String key, int dflt) {
        JsonNode n = r.get(key);
        if (n != null && n.isArray()) {
            if (n.size() != 2 || !n.get(0).isIntegralNumber() || n.get(0).asInt() != n.get(1).asInt()) {
                throw r.error(key, "must be an integer or a square [h, w] pair, got " + n);
            }
            return n.get(0).asInt();
        }
        return r.wholeNumber(key, dflt);
    }
}
