package org.wegeft.llm.chat;

import java.math.BigDecimal;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** How Python prints template values: {@code str()}, {@code repr()} and transformers' {@code json.dumps}. */
final class PythonValues {
    private PythonValues() {
    }

    /** {@code str(v)}, except that a missing value prints as nothing (Jinjava cannot tell it from None). */
    static String str(@Nullable Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof CharSequence s) {
            return s.toString();
        }
        return repr(v);
    }

    /** {@code repr(v)}: strings quoted as Python quotes them, lists and dicts as Python prints them. */
    static String repr(@Nullable Object v) {
        StringBuilder sb = new StringBuilder();
        repr(sb, v);
        return sb.toString();
    }

    private static void repr(StringBuilder sb, @Nullable Object v) {
        switch (v) {
            case null -> sb.append("None");
            case Boolean b -> sb.append(b ? "True" : "False");
            case CharSequence s -> quote(sb, s.toString());
            case Double d -> sb.append(floatRepr(d));
            case Float f -> sb.append(floatRepr(f.doubleValue()));
            case Number n -> sb.append(n);
            case Map<?, ?> m -> {
                sb.append('{');
                String sep = "";
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    sb.append(sep);
                    repr(sb, e.getKey());
                    sb.append(": ");
                    repr(sb, e.getValue());
                    sep = ", ";
                }
                sb.append('}');
            }
            case Iterable<?> it -> {
                sb.append('[');
                String sep = "";
                for (Object o : it) {
                    sb.append(sep);
                    repr(sb, o);
                    sep = ", ";
                }
                sb.append(']');
            }
            default -> sb.append(v);
        }
    }

    /** Python's quoting: single quotes unless the text holds one and no double quote. */
    private static void quote(StringBuilder sb, String s) {
        char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        sb.append(q);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c == q) {
                        sb.append('\\');
                    }
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append(q);
    }

    /** Python's {@code repr(float)}: the shortest digits that read back, fixed between 1e-4 and 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        BigDecimal b = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        int exponent = b.precision() - b.scale() - 1;
        if (exponent < -4 || exponent >= 16) {
            String digits = b.unscaledValue().abs().toString();
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return (d < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
                    + String.format("%02d", Math.abs(exponent));
        }
        String plain = b.toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }

    /**
     * transformers' {@code tojson}: {@code json.dumps(v, ensure_ascii=False, indent=indent, separators=…,
     * sort_keys=…)}; with an indent the item separator loses its space, as in Python.
     */
    static String json(@Nullable Object v, @Nullable Integer indent, @Nullable String itemSep, @Nullable String keySep,
                       boolean sortKeys) {
        StringBuilder sb = new StringBuilder();
        String items = itemSep != null ? itemSep : indent == null ? ", " : ",";
        json(sb, v, indent, items, keySep != null ? keySep : ": ", sortKeys, 0);
        return sb.toString();
    }

    private static void json(StringBuilder sb, @Nullable Object v, @Nullable Integer indent, String items,
                             String keys, boolean sort, int depth) {
        switch (v) {
            case null -> sb.append("null");
            case Boolean b -> sb.append(b);
            case CharSequence s -> jsonString(sb, s.toString());
            case Double d -> sb.append(jsonFloat(d));
            case Float f -> sb.append(jsonFloat(f.doubleValue()));
            case Number n -> sb.append(n);
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    sb.append("{}");
                    return;
                }
                Iterable<? extends Map.Entry<?, ?>> entries = sort
                        ? m.entrySet().stream().sorted((a, b) -> String.valueOf(a.getKey())
                        .compareTo(String.valueOf(b.getKey()))).toList() : m.entrySet();
                sb.append('{');
                String sep = "";
                for (Map.Entry<?, ?> e : entries) {
                    sb.append(sep);
                    newline(sb, indent, depth + 1);
                    jsonString(sb, String.valueOf(e.getKey()));
                    sb.append(keys);
                    json(sb, e.getValue(), indent, items, keys, sort, depth + 1);
                    sep = items;
                }
                newline(sb, indent, depth);
                sb.append('}');
            }
            case Iterable<?> it -> {
                Iterator<?> iter = it.iterator();
                if (!iter.hasNext()) {
                    sb.append("[]");
                    return;
                }
                sb.append('[');
                String sep = "";
                while (iter.hasNext()) {
                    sb.append(sep);
                    newline(sb, indent, depth + 1);
                    json(sb, iter.next(), indent, items, keys, sort, depth + 1);
                    sep = items;
                }
                newline(sb, indent, depth);
                sb.append(']');
            }
            case Object[] a -> json(sb, List.of(a), indent, items, keys, sort, depth);
            default -> jsonString(sb, v.toString());
        }
    }

    private static String jsonFloat(double d) {
        return Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : floatRepr(d);
    }

    private static void newline(StringBuilder sb, @Nullable Integer indent, int depth) {
        if (indent != null) {
            sb.append('\n').append(" ".repeat(indent * depth));
        }
    }

    /** A JSON string as Python writes it with ensure_ascii=False: only quotes, backslashes and controls escaped. */
    private static void jsonString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
