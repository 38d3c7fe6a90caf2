package org.wegeft.tensor;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and strictly validates a safetensors header (the JSON after the 8-byte length prefix).
 *
 * <pre>
 *   [u64 LE n][n bytes UTF-8 JSON, space padded][data section]
 *   JSON: {"__metadata__": {str: str}?, name: {"dtype": D, "shape": [..], "data_offsets": [b, e]}, ...}
 * </pre>
 */
final class SafetensorsHeader {
    /** Largest header we accept; real headers of 100B-parameter checkpoints are a few MB. */
    static final long MAX_HEADER_BYTES = 100L << 20;
    static final String METADATA = "__metadata__";

    /** Strict JSON: duplicate keys and trailing tokens are errors. */
    static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    record Parsed(Map<String, String> metadata, List<TensorInfo> tensors) {
    }

    private SafetensorsHeader() {
    }

    /** Byte size of one element of a safetensors dtype, or -1 when the dtype is unknown. */
    static int dtypeSize(String dtype) {
        return switch (dtype) {
            case "F64", "I64", "U64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
            default -> -1;
        };
    }

    /** Parses {@code header} and checks every entry against a data section of {@code dataBytes}. */
    static Parsed parse(Path file, ByteBuffer header, long dataBytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(header).toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsException(file, "header", "header is not valid UTF-8 (" + e + ")");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JacksonException e) {
            throw new SafetensorsException(file, "header", "header is not valid JSON: " + oneLine(e.getOriginalMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsException(file, "header", "header is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> tensors = new ArrayList<>(root.size());
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            String key = e.getKey();
            if (key.equals(METADATA)) {
                readMetadata(file, e.getValue(), metadata);
            } else {
                tensors.add(readTensor(file, key, e.getValue(), dataBytes));
            }
        }
        checkOverlaps(file, tensors);
        return new Parsed(Collections.unmodifiableMap(metadata), List.copyOf(tensors));
    }

    private static void readMetadata(Path file, JsonNode node, Map<String, String> out) {
        if (!node.isObject()) {
            throw new SafetensorsException(file, METADATA, "must be an object of strings, got " + node.getNodeType());
        }
        for (Map.Entry<String, JsonNode> m : node.properties()) {
            if (!m.getValue().isTextual()) {
                throw new SafetensorsException(file, METADATA, "value of '" + m.getKey()
                        + "' must be a string, got " + m.getValue().getNodeType());
            }
            out.put(m.getKey(), m.getValue().textValue());
        }
    }

    private static TensorInfo readTensor(Path file, String name, JsonNode node, long dataBytes) {
        if (!node.isObject()) {
            throw new SafetensorsException(file, name, "entry must be an object, got " + node.getNodeType());
        }
        for (Map.Entry<String, JsonNode> f : node.properties()) {
            String k = f.getKey();
            if (!k.equals("dtype") && !k.equals("shape") && !k.equals("data_offsets")) {
                throw new SafetensorsException(file, name, "unexpected field '" + k
                        + "' (allowed: dtype, shape, data_offsets)");
            }
        }
        JsonNode dt = node.get("dtype");
        JsonNode sh = node.get("shape");
        JsonNode off = node.get("data_offsets");
        if (dt == null || sh == null || off == null) {
            throw new SafetensorsException(file, name, "entry must have dtype, shape and data_offsets");
        }
        if (!dt.isTextual()) {
            throw new SafetensorsException(file, name, "dtype must be a string, got " + dt.getNodeType());
        }
        String dtype = dt.textValue();
        int size = dtypeSize(dtype);
        if (size < 0) {
            throw new SafetensorsException(file, name, "unknown dtype '" + dtype + "'");
        }
        if (!sh.isArray()) {
            throw new SafetensorsException(file, name, "shape must be an array, got " + sh.getNodeType());
        }
        long[] shape = new long[sh.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = nonNegativeLong(file, name, "shape[" + i + "]", sh.get(i));
            try {
                elements = Math.multiplyExact(elements, shape[i]);
            } catch (ArithmeticException ex) {
                throw new SafetensorsException(file, name, "shape " + sh + " has more elements than fit in 64 bits");
            }
        }
        if (!off.isArray() || off.size() != 2) {
            throw new SafetensorsException(file, name, "data_offsets must be an array of two integers, got " + off);
        }
        long begin = nonNegativeLong(file, name, "data_offsets[0]", off.get(0));
        long end = nonNegativeLong(file, name, "data_offsets[1]", off.get(1));
        if (end < begin) {
            throw new SafetensorsException(file, name, "data_offsets [" + begin + ", " + end + "] end before begin");
        }
        long expected;
        try {
            expected = Math.multiplyExact(elements, (long) size);
        } catch (ArithmeticException ex) {
            throw new SafetensorsException(file, name, "shape " + sh + " of " + dtype + " overflows 64-bit byte size");
        }
        if (end - begin != expected) {
            throw new SafetensorsException(file, name, "data_offsets [" + begin + ", " + end + "] span " + (end - begin)
                    + " bytes but shape " + sh + " of " + dtype + " needs " + expected);
        }
        if (end > dataBytes) {
            throw new SafetensorsException(file, name, "data_offsets [" + begin + ", " + end
                    + "] outside the data section of " + dataBytes + " bytes");
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static long nonNegativeLong(Path file, String name, String what, JsonNode v) {
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
            throw new SafetensorsException(file, name, what + " must be a non-negative 64-bit integer, got " + v);
        }
        return v.longValue();
    }

    private static void checkOverlaps(Path file, List<TensorInfo> tensors) {
        List<TensorInfo> sorted = new ArrayList<>(tensors);
        sorted.removeIf(t -> t.bytes() == 0);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo prev = sorted.get(i - 1);
            TensorInfo cur = sorted.get(i);
            if (cur.begin() < prev.end()) {
                throw new SafetensorsException(file, cur.name(), "data_offsets [" + cur.begin() + ", " + cur.end()
                        + "] overlap tensor '" + prev.name() + "' [" + prev.begin() + ", " + prev.end() + "]");
            }
        }
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
