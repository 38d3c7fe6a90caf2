package org.wegeft.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.io.AtomicFiles;
import org.wegeft.nn.ConfigFields;

/**
 * Reads and writes {@link DecoderConfig} as Hugging Face {@code config.json}, with Hugging Face's defaults for
 * absent keys. Every bad value raises a {@link DecoderConfigException} naming the file and the key.
 */
final class DecoderConfigJson {
    static final String FILE = "config.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private DecoderConfigJson() {
    }

    /** The config file of a model folder (or the file itself). */
    static Path file(Path dirOrFile) {
        return Files.isDirectory(dirOrFile) ? dirOrFile.resolve(FILE) : dirOrFile;
    }

    static DecoderConfig read(Path dirOrFile) {
        Path file = file(dirOrFile);
        ConfigFields r = ConfigFields.read(file, DecoderConfigException::new, ConfigFields.Wording.MUST_BE);
        return r.namingSource(() -> parse(r));   // a record check names the record: name the file
    }

    private static DecoderConfig parse(ConfigFields r) {
        String type = r.string("model_type", "llama");
        DecoderFamilies.require(type, r.source());
        DecoderConfig c = DecoderFamilies.get(type).read(r);
        if (c.ropeScaling() != null) {
            c.ropeScaling().check(c.rotaryDim());          // needs the family's partial_rotary_factor
        }
        return c;
    }

    /**
     * The keys every family shares, with Hugging Face's {@code LlamaConfig} defaults for absent ones; every layer
     * full attention, no extras. Families adjust the result with the withers.
     */
    static DecoderConfig common(ConfigFields r) {
        return common(r, r.string("hidden_act", "silu"));
    }

    /** {@link #common(ConfigFields)} with the MLP activation the family read from its own key. */
    static DecoderConfig common(ConfigFields r, String hiddenAct) {
        String type = r.string("model_type", "llama");
        int hidden = r.integer("hidden_size", 4096);
        int heads = r.integer("num_attention_heads", 32);
        if (heads <= 0) {
            throw r.error("num_attention_heads", "must be a positive integer, got " + heads);
        }
        int headDim = r.integer("head_dim", hidden / heads);
        return new DecoderConfig(type, r.integer("vocab_size", 32000), hidden, r.integer("intermediate_size", 11008),
                r.integer("num_hidden_layers", 32), heads, r.integer("num_key_value_heads", heads), headDim,
                r.integer("max_position_embeddings", 2048), r.number("rms_norm_eps", 1e-6),
                r.number("rope_theta", 10000.0), ropeScaling(r), r.bool("tie_word_embeddings", false),
                r.bool("attention_bias", false), r.bool("mlp_bias", false), hiddenAct,
                ids(r, "bos_token_id"), ids(r, "eos_token_id"), r.optionalInt("pad_token_id"),
                r.string("torch_dtype", "float32"), r.number("initializer_range", 0.02));
    }

    /**
     * {@code layer_types} when config.json gives it (newer Hugging Face files do), else {@code derived}, the
     * family's own rule.
     */
    static List<String> layerTypes(ConfigFields r, List<String> derived) {
        JsonNode n = r.get("layer_types");
        return n == null ? derived : r.strings("layer_types");
    }

    /** Every layer {@code type}. */
    static List<String> all(int layers, String type) {
        return java.util.Collections.nCopies(layers, type);
    }

    /** Reads one rope_scaling type's record. */
    @FunctionalInterface
    private interface RopeReader {
        RopeScaling read(RopeFields f);
    }

    /** Every supported {@code rope_type} and the reader of its record. */
    private static final Map<String, RopeReader> ROPE_TYPES = new LinkedHashMap<>();

    static {
        ROPE_TYPES.put("linear", LinearRope::read);
        ROPE_TYPES.put("llama3", Llama3Rope::read);
        ROPE_TYPES.put("yarn", YarnRope::read);
        ROPE_TYPES.put("dynamic", DynamicNtkRope::read);
        ROPE_TYPES.put("longrope", LongRope::read);
    }

    private static @Nullable RopeScaling ropeScaling(ConfigFields r) {
        JsonNode n = r.get("rope_scaling");
        if (n == null) {
            return null;
        }
        if (!n.isObject()) {
            throw r.error("rope_scaling", "must be null or an object, got " + n);
        }
        String key = n.has("rope_type") ? "rope_type" : "type";
        String type = DecoderFamilies.get(r.string("model_type", "llama"))
                .ropeType(r.with(r.source(), n).string(key, "default"));
        if (type.equals("default")) {
            return null;
        }
        RopeReader reader = ROPE_TYPES.get(type);
        if (reader == null) {
            throw r.error("rope_scaling." + key, "\"" + type + "\" is not supported (supported: default, "
                    + String.join(", ", ROPE_TYPES.keySet()) + ")");
        }
        return reader.read(new RopeFields(r.with(r.source(), n), r));
    }

    static void write(DecoderConfig c, Path file) {
        ObjectNode o = JSON.createObjectNode();
        o.putArray("architectures").add(c.family().architecture());
        o.put("model_type", c.modelType());
        o.put("vocab_size", c.vocabSize());
        o.put("hidden_size", c.hiddenSize());
        o.put("intermediate_size", c.intermediateSize());
        o.put("num_hidden_layers", c.numHiddenLayers());
        o.put("num_attention_heads", c.numAttentionHeads());
        o.put("num_key_value_heads", c.numKeyValueHeads());
        o.put("head_dim", c.headDim());
        o.put("max_position_embeddings", c.maxPositionEmbeddings());
        o.put("rms_norm_eps", c.rmsNormEps());
        o.put("rope_theta", c.ropeTheta());
        RopeScaling rs = c.ropeScaling();
        if (rs == null) {
            o.putNull("rope_scaling");
        } else {
            ObjectNode s = o.putObject("rope_scaling");
            s.put("rope_type", rs.type());
            rs.write(s, o);
        }
        o.put("tie_word_embeddings", c.tieWordEmbeddings());
        o.put("attention_bias", c.attentionBias());
        o.put("mlp_bias", c.mlpBias());
        o.put("hidden_act", c.hiddenAct());
        putIds(o, "bos_token_id", c.bosTokenIds());
        putIds(o, "eos_token_id", c.eosTokenIds());
        if (c.padTokenId() != null) {
            o.put("pad_token_id", c.padTokenId());
        }
        o.put("torch_dtype", c.torchDtype());
        o.put("initializer_range", c.initializerRange());
        if (c.slidingWindow() != null) {
            o.put("sliding_window", c.slidingWindow());
        }
        if (c.slides()) {
            ArrayNode types = o.putArray("layer_types");
            c.layerTypes().forEach(types::add);
        }
        c.family().write(c, o);
        try {
            AtomicFiles.writeString(file, JSON.writeValueAsString(o));
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file + " failed", e);
        }
    }

    private static void putIds(ObjectNode o, String key, List<Integer> ids) {
        if (ids.size() == 1) {
            o.put(key, ids.get(0));
        } else if (!ids.isEmpty()) {
            ArrayNode a = o.putArray(key);
            ids.forEach(a::add);
        }
    }

    /** An int, a list of ints, or absent (empty). */
    private static List<Integer> ids(ConfigFields r, String key) {
        JsonNode n = r.get(key);
        if (n == null) {
            return new ArrayList<>();
        }
        if (n.isArray()) {
            return r.list(key, n, "an integer or a list of integers",
                    e -> e.isIntegralNumber() && e.canConvertToInt(), JsonNode::intValue);
        }
        List<Integer> out = new ArrayList<>();
        out.add(r.integer(key, 0));
        return out;
    }
}
