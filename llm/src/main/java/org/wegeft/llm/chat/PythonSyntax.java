package org.wegeft.llm.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites the two expression forms of Python's Jinja that Jinjava's parser reads differently, before Jinjava
 * parses the template; everything else is left to Jinjava.
 *
 * <ul>
 *   <li>A slice {@code x[a:b:c]} (any part may be empty) becomes {@code __py_slice(x, a, b, c)}, a function with
 *       Python's semantics; Jinjava has no step and clamps negative bounds its own way.
 *   <li>A keyword argument's value is put in parentheses, {@code f(k=v - 1)} → {@code f(k=(v - 1))}: Jinjava
 *       binds {@code k=v} tighter than a following operator.
 * </ul>
 *
 * A printed expression {@code {{ e }}} becomes {@code {{ __py_str(e) }}}, so that values print as Python's
 * {@code str} prints them ({@code True}, {@code ['a', 1]}).
 *
 * Only the insides of {@code {{ }}} and {@code {% %}} are touched; text, comments, {@code raw} blocks and string
 * literals are copied as they are, and so are {@code macro} tags, whose parameter defaults Jinjava reads itself.
 */
final class PythonSyntax {
    static final String SLICE_FUNCTION = "__py_slice";

    private PythonSyntax() {
    }

    /** Brackets nested deeper than this are refused before parsing (the parsers recurse per level). */
    static final int MAX_NESTING = 100;

    /** The deepest nesting of brackets and braces in {@code template}, string literals aside. */
    static int nesting(String template) {
        int depth = 0;
        int max = 0;
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '(' || c == '[' || c == '{') {
                max = Math.max(max, ++depth);
            } else if (c == ')' || c == ']' || c == '}') {
                depth = Math.max(0, depth - 1);
            }
        }
        return max;
    }

    /**
     * The template with its expressions rewritten.
     *
     * @throws IllegalArgumentException naming the line of a {@code {{}, {@code {%} or {@code {#} that is never closed
     */
    static String rewrite(String template) {
        StringBuilder out = new StringBuilder(template.length() + 64);
        int i = 0;
        boolean raw = false;
        while (i < template.length()) {
            int open = nextOpener(template, i);
            if (open < 0) {
                out.append(template, i, template.length());
                break;
            }
            out.append(template, i, open);
            char kind = template.charAt(open + 1);
            String close = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
            int end = kind == '#' ? template.indexOf(close, open + 2) : closing(template, open + 2, close);
            if (end < 0) {   // jinja2 refuses these; Jinjava would print them as text
                long line = 1 + template.substring(0, open).chars().filter(c -> c == '\n').count();
                throw new IllegalArgumentException("line " + line + ": '" + template.substring(open, open + 2)
                        + "' is never closed by '" + close + "'");
            }
            String body = template.substring(open + 2, end);
            String word = firstWord(body);
            if (raw || kind == '#' || word.equals("raw") || word.equals("macro")) {
                out.append(template, open, end + 2);
                raw = raw ? !word.equals("endraw") : word.equals("raw");
            } else if (kind == '{') {
                out.append("{{").append(printed(body)).append(close);
            } else {
                out.append(template, open, open + 2).append(expression(body)).append(close);
            }
            i = end + 2;
        }
        return out.toString();
    }

    /** A printed expression, passed through Python's {@code str} (whitespace-control marks kept outside). */
    private static String printed(String body) {
        int a = 0;
        int b = body.length();
        if (a < b && (body.charAt(a) == '-' || body.charAt(a) == '+')) {
            a++;
        }
        if (b > a && (body.charAt(b - 1) == '-' || body.charAt(b - 1) == '+')) {
            b--;
        }
        return body.substring(0, a) + " " + JinjaExtensions.STR_FUNCTION + "(" + expression(body.substring(a, b))
                + ") " + body.substring(b);
    }

    private static int nextOpener(String s, int from) {
        for (int i = s.indexOf('{', from); i >= 0 && i + 1 < s.length(); i = s.indexOf('{', i + 1)) {
            char c = s.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
        }
        return -1;
    }

    /** The index of {@code close} after {@code from}, outside string literals; −1 when there is none. */
    private static int closing(String s, int from, String close) {
        int end = scan(s, from, (i, c, depth) -> s.startsWith(close, i));
        return end < s.length() ? end : -1;
    }

    private static String firstWord(String body) {
        String t = body.strip();
        if (t.startsWith("-") || t.startsWith("+")) {
            t = t.substring(1).strip();
        }
        int n = 0;
        while (n < t.length() && Character.isLetter(t.charAt(n))) {
            n++;
        }
        return t.substring(0, n);
    }

    /** The index of the quote that closes the string literal opening at {@code start} (the last index if none). */
    private static int stringEnd(String s, int start) {
        char q = s.charAt(start);
        for (int i = start + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == q) {
                return i;
            }
        }
        return s.length() - 1;
    }

    /** A place where a scan stops: its index, the character there and the bracket depth before it. */
    private interface Stop {
        boolean at(int i, char c, int depth);
    }

    /** The first index from {@code from} where {@code stop} holds, outside string literals; the length if none. */
    private static int scan(String s, int from, Stop stop) {
        int depth = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                i = stringEnd(s, i);
            } else if (stop.at(i, c, depth)) {
                return i;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            }
        }
        return s.length();
    }

    /** The index of the bracket that closes the one at {@code open}; −1 when it is not closed. */
    private static int matching(String s, int open) {
        int end = scan(s, open + 1, (i, c, depth) -> depth == 0 && (c == ')' || c == ']' || c == '}'));
        return end < s.length() ? end : -1;
    }

    /** The parts of {@code s} between top-level occurrences of {@code sep}, outside brackets and strings. */
    private static List<String> split(String s, char sep) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        while (true) {
            int at = scan(s, start, (i, c, depth) -> depth == 0 && c == sep);
            parts.add(s.substring(start, at));
            if (at == s.length()) {
                return parts;
            }
            start = at + 1;
        }
    }

    /** Whether the text before position {@code at} ends an operand, so a bracket there is a call or subscript. */
    private static boolean followsOperand(StringBuilder out) {
        if (out.isEmpty()) {
            return false;
        }
        char c = out.charAt(out.length() - 1);
        return Character.isLetterOrDigit(c) || c == '_' || c == ')' || c == ']' || c == '\'' || c == '"';
    }

    /** An expression (or the inside of a tag) with its slices and keyword arguments rewritten. */
    static String expression(String e) {
        StringBuilder out = new StringBuilder(e.length() + 16);
        for (int i = 0; i < e.length(); i++) {
            char c = e.charAt(i);
            if (c == '\'' || c == '"') {
                int end = stringEnd(e, i);
                out.append(e, i, end + 1);
                i = end;
            } else if ((c == '[' || c == '(') && followsOperand(out)) {
                int end = matching(e, i);
                if (end < 0) {
                    out.append(e.substring(i));
                    break;
                }
                String inner = e.substring(i + 1, end);
                if (c == '[') {
                    subscript(out, inner);
                } else {
                    out.append('(').append(arguments(inner)).append(')');
                }
                i = end;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static void subscript(StringBuilder out, String inner) {
        List<String> parts = split(inner, ':');
        if (parts.size() == 1) {
            out.append('[').append(expression(inner)).append(']');
            return;
        }
        int start = operandStart(out);
        String operand = out.substring(start);
        out.setLength(start);
        out.append(SLICE_FUNCTION).append('(').append(operand);
        for (int k = 0; k < 3; k++) {
            String p = k < parts.size() ? parts.get(k).strip() : "";
            out.append(", ").append(p.isEmpty() ? "none" : expression(p));
        }
        out.append(')');
    }

    /** Where the operand that ends {@code out} starts: names, dots, calls, subscripts and string literals. */
    private static int operandStart(StringBuilder out) {
        int i = out.length() - 1;
        while (i >= 0) {
            char c = out.charAt(i);
            if (c == ')' || c == ']') {
                int depth = 0;
                for (; i >= 0; i--) {
                    char d = out.charAt(i);
                    depth += d == ')' || d == ']' ? 1 : d == '(' || d == '[' ? -1 : 0;
                    if (depth == 0) {
                        break;
                    }
                }
                i--;
            } else if (c == '\'' || c == '"') {
                i = out.lastIndexOf(String.valueOf(c), i - 1) - 1;
            } else if (Character.isLetterOrDigit(c) || c == '_' || c == '.') {
                i--;
            } else {
                break;
            }
        }
        return i + 1;
    }

    private static String arguments(String inner) {
        List<String> args = split(inner, ',');
        StringBuilder out = new StringBuilder(inner.length() + 8);
        for (int k = 0; k < args.size(); k++) {
            if (k > 0) {
                out.append(',');
            }
            String a = args.get(k);
            int eq = keywordEquals(a);
            if (eq < 0) {
                out.append(expression(a));
            } else {
                out.append(a, 0, eq + 1).append('(').append(expression(a.substring(eq + 1))).append(')');
            }
        }
        return out.toString();
    }

    /** The index of the {@code =} of a {@code name=value} argument, or −1. */
    private static int keywordEquals(String arg) {
        int i = 0;
        while (i < arg.length() && Character.isWhitespace(arg.charAt(i))) {
            i++;
        }
        int nameStart = i;
        while (i < arg.length() && (Character.isLetterOrDigit(arg.charAt(i)) || arg.charAt(i) == '_')) {
            i++;
        }
        if (i == nameStart || Character.isDigit(arg.charAt(nameStart))) {
            return -1;
        }
        while (i < arg.length() && Character.isWhitespace(arg.charAt(i))) {
            i++;
        }
        boolean single = i < arg.length() && arg.charAt(i) == '=' && (i + 1 >= arg.length() || arg.charAt(i + 1) != '=');
        return single ? i : -1;
    }
}
