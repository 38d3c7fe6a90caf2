package org.wegeft.llm;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.ConfigFields;

/**
 * The keys of one {@code rope_scaling} object, read with errors naming {@code rope_scaling.<key>}, beside the
 * top-level config some types also read ({@code max_position_embeddings}, Phi-3's
 * {@code original_max_position_embeddings}).
 */
final class RopeFields {
    private static final String PREFIX = "rope_scaling.";
    private final ConfigFields scaling;
    private final ConfigFields config;

    RopeFields(ConfigFields scaling, ConfigFields config) {
        this.scaling = scaling;
        this.config = config;
    }

    ConfigFields config() {
        return config;
    }

    double requiredNumber(String key) {
        return scaling.requiredNumber(key, PREFIX + key);
    }

    double number(String key, double dflt) {
        return scaling.number(key, dflt, PREFIX + key);
    }

    /** A number, or null when absent or JSON null. */
    @Nullable Double optionalNumber(String key) {
        return scaling.get(key) == null ? null : scaling.number(key, 0, PREFIX + key);
    }

    /** An integer (written as 16 or 16.0), or {@code dflt} when absent or null. */
    int integer(String key, int dflt) {
        Double v = optionalNumber(key);
        if (v == null) {
            return dflt;
        }
        if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
            throw scaling.error(PREFIX + key, "must be an integer, got " + v);
        }
        return v.intValue();
    }

    boolean bool(String key, boolean dflt) {
        JsonNode n = scaling.get(key);
        if (n != null && !n.isBoolean()) {
            throw scaling.error(PREFIX + key, "must be true or false, got " + n);
        }
        return n == null ? dflt : n.booleanValue();
    }

    List<Double> requiredNumbers(String key) {
        JsonNode n = scaling.get(key);
        if (n == null) {
            throw scaling.missing(PREFIX + key);
        }
        return scaling.list(PREFIX + key, n, "a list of numbers", JsonNode::isNumber, JsonNode::doubleValue);
    }

    /** The exception for a bad value of {@code rope_scaling.<key>} found by a record check. */
    static DecoderConfigException invalid(String key, String problem) {
        return new DecoderConfigException("DecoderConfig", PREFIX + key, problem);
    }

    static void requirePositive(String key, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw invalid(key, "must be positive, got " + v);
        }
    }
}
