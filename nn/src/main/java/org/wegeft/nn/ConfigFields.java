package org.wegeft.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Typed access to the fields of one JSON config object (a model's {@code config.json}, an adapter config): every
 * failure is raised through the caller's own exception factory as {@code (source, key, problem)}, so each module
 * keeps throwing its own typed exception. A key that is absent or JSON {@code null} counts as missing.
 *
 * <p>Mistyped values read {@code "<prefix><what>, got <value>"}, where the prefix is the {@link Wording}'s
 * ({@code "must be an integer, got 1.5"} or {@code "expected an integer, got 1.5"}).
 */
public final class ConfigFields {
    /** Builds the caller's exception for a bad field. */
    @FunctionalInterface
    public interface Errors {
        RuntimeException error(String source, String key, String problem);

        /** Throws this kind of error for {@code key} unless {@code v} is a positive integer. */
        default void requirePositive(String source, String key, int v) {
            if (v <= 0) {
                throw error(source, key, "must be a positive integer, got " + v);
            }
        }
    }

    /** How a mistyped or missing value is worded. */
    public enum Wording {
        /** {@code "must be a number, got …"}, {@code "is missing"}. */
        MUST_BE("must be ", "is missing"),
        /** {@code "expected a number, got …"}, {@code "missing"}. */
        EXPECTED("expected ", "missing");

        private final String prefix;
        private final String missing;

        Wording(String prefix, String missing) {
            this.prefix = prefix;
            this.missing = missing;
        }
    }

    private final String source;
    private final JsonNode root;
    private final Errors errors;
    private final Wording wording;

    /**
     * @param source  the file (or other source) named in every error
     * @param root    the JSON object whose fields are read
     * @param errors  makes the exception for {@code (source, key, problem)}
     * @param wording how mistyped and missing values are worded
     */
    public ConfigFields(String source, JsonNode root, Errors errors, Wording wording) {
        this.source = source;
        this.root = root;
        this.errors = errors;
        this.wording = wording;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * {@code parse.get()}; a {@link ModelConfigException} that names another source (a config record's own check
     * names the record) is raised again, as this reader's kind of error, naming this source.
     */
    public <T> T namingSource(Supplier<T> parse) {
        try {
            return parse.get();
        } catch (ModelConfigException e) {
            if (e.source().equals(source)) {
                throw e;
            }
            throw errors.error(source, e.key(), e.problem());
        }
    }

    /**
     * Reads {@code file} as one JSON object; an unreadable file, invalid JSON or a non-object is raised through
     * {@code errors} under the key {@code "(file)"}.
     */
    public static ConfigFields read(Path file, Errors errors, Wording wording) {
        String src = file.toString();
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw errors.error(src, "(file)", "cannot be read as JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw errors.error(src, "(file)", "is not a JSON object");
        }
        return new ConfigFields(src, root, errors, wording);
    }

    /** The same source, errors and wording over another object (a nested config). */
    public ConfigFields with(String otherSource, JsonNode otherRoot) {
        return new ConfigFields(otherSource, otherRoot, errors, wording);
    }

    public String source() {
        return source;
    }

    public JsonNode root() {
        return root;
    }

    /** The caller's exception for {@code key}, to throw. */
    public RuntimeException error(String key, String problem) {
        return errors.error(source, key, problem);
    }

    /** {@code key} holds {@code n}, which is not {@code what} (e.g. "an integer"). */
    public RuntimeException mistyped(String key, String what, JsonNode n) {
        return error(key, wording.prefix + what + ", got " + n);
    }

    /** {@code key} is absent but required. */
    public RuntimeException missing(String key) {
        return error(key, wording.missing);
    }

    /** The value at {@code key}, or null when absent or JSON null. */
    public @Nullable JsonNode get(String key) {
        JsonNode n = root.get(key);
        return n == null || n.isNull() ? null : n;
    }

    /** The value at {@code key}; absent or JSON null is {@link #missing} {@code name}. */
    private JsonNode required(String key, String name) {
        JsonNode n = get(key);
        if (n == null) {
            throw missing(name);
        }
        return n;
    }

    /** A JSON integer that fits an int; {@code dflt} when missing. */
    public int integer(String key, int dflt) {
        JsonNode n = get(key);
        return n == null ? dflt : integer(key, n);
    }

    /** A required JSON integer that fits an int. */
    public int integer(String key) {
        return integer(key, required(key, key));
    }

    private int integer(String key, JsonNode n) {
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw mistyped(key, "an integer", n);
        }
        return n.intValue();
    }

    /** Like {@link #integer(String, int)}, but a float with an integral value ({@code 224.0}) is accepted too. */
    public int wholeNumber(String key, int dflt) {
        JsonNode n = get(key);
        if (n == null) {
            return dflt;
        }
        if (!n.canConvertToInt() || !(n.isIntegralNumber() || n.isDouble() && n.asDouble() == n.asInt())) {
            throw mistyped(key, "an integer", n);
        }
        return n.asInt();
    }

    /** A JSON integer that fits an int, or null when missing. */
    public @Nullable Integer optionalInt(String key) {
        return get(key) == null ? null : integer(key, 0);
    }

    /** A JSON number; {@code dflt} when missing. */
    public double number(String key, double dflt) {
        return number(key, dflt, key);
    }

    /** A JSON number at {@code key}, errors naming it {@code name} (e.g. {@code "rope_scaling.factor"}). */
    public double number(String key, double dflt, String name) {
        JsonNode n = get(key);
        return n == null ? dflt : number(name, n);
    }

    /** A required JSON number at {@code key}, errors naming it {@code name}. */
    public double requiredNumber(String key, String name) {
        return number(name, required(key, name));
    }

    private double number(String name, JsonNode n) {
        if (!n.isNumber()) {
            throw mistyped(name, "a number", n);
        }
        return n.doubleValue();
    }

    /** A JSON boolean; {@code dflt} when missing. */
    public boolean bool(String key, boolean dflt) {
        JsonNode n = get(key);
        if (n == null) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw mistyped(key, "true or false", n);
        }
        return n.booleanValue();
    }

    /** A JSON string; {@code dflt} when missing. */
    public String string(String key, String dflt) {
        JsonNode n = get(key);
        return n == null ? dflt : string(key, n);
    }

    /** A required JSON string. */
    public String string(String key) {
        return string(key, required(key, key));
    }

    private String string(String key, JsonNode n) {
        if (!n.isTextual()) {
            throw mistyped(key, "a string", n);
        }
        return n.textValue();
    }

    /** A JSON array of numbers; {@code dflt} when missing. */
    public List<Double> numbers(String key, List<Double> dflt) {
        JsonNode n = get(key);
        return n == null ? dflt : list(key, n, "a list of numbers", JsonNode::isNumber, JsonNode::doubleValue);
    }

    /** A JSON array of strings; empty when missing. */
    public List<String> strings(String key) {
        JsonNode n = get(key);
        return n == null ? List.of() : list(key, n, "a list of strings", JsonNode::isTextual, JsonNode::textValue);
    }

    /** A JSON array of strings, a single string as a one-element list; empty when missing. */
    public List<String> stringOrStrings(String key) {
        JsonNode n = get(key);
        if (n == null) {
            return List.of();
        }
        if (n.isTextual()) {
            return List.of(n.textValue());
        }
        return list(key, n, "a list of strings", JsonNode::isTextual, JsonNode::textValue);
    }

    /**
     * The elements of array {@code n} (the value at {@code key}) converted by {@code conv}; when {@code n} is not an
     * array or an element fails {@code ok}, the error says the value is not {@code what}.
     */
    public <T> List<T> list(String key, JsonNode n, String what, Predicate<JsonNode> ok, Function<JsonNode, T> conv) {
        if (!n.isArray()) {
            throw mistyped(key, what, n);
        }
        List<T> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!ok.test(e)) {
                throw mistyped(key, what, n);
            }
            out.add(conv.apply(e));
        }
        return out;
    }
}
