package org.wegeft.llm.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;
import org.jspecify.annotations.Nullable;

/**
 * The Python methods chat templates call on strings and dicts ({@code content.strip()},
 * {@code content.split('</think>')[-1]}, {@code tool.items()}, …) and Python's indexing of strings, for Jinjava,
 * which would otherwise look for Java methods of those names. As in transformers' immutable sandbox, other method
 * calls on strings and dicts, and any call that would change a list or dict, fail the render (Jinjava itself would
 * let them pass, or drop the error silently).
 */
final class PythonMethods extends ELResolver {
    private static final Set<String> MUTATORS = Set.of("append", "extend", "insert", "pop", "remove", "clear", "sort",
            "reverse", "add", "addAll", "set", "removeIf", "put", "putAll", "update", "setdefault", "popitem");

    @Override
    public @Nullable Object invoke(ELContext context, @Nullable Object base, Object method, Class<?>[] types,
                                   Object[] params) {
        String name = method.toString();
        Object[] p = params == null ? new Object[0] : params;
        try {
            if (base instanceof CharSequence s) {
                context.setPropertyResolved(true);
                return string(s.toString(), name, p);
            }
            if ((base instanceof Map<?, ?> || base instanceof List<?>) && MUTATORS.contains(name)) {
                context.setPropertyResolved(true);
                throw new IllegalArgumentException("access to attribute '" + name + "' of '"
                        + (base instanceof Map<?, ?> ? "dict" : "list") + "' object is unsafe.");
            }
            if (base instanceof Map<?, ?> m && !m.containsKey(name)) {
                context.setPropertyResolved(true);
                return dict(m, name, p);
            }
        } catch (IllegalArgumentException | ClassCastException e) {
            return fail(e.getMessage());
        }
        return null;
    }

    /** Records a Python error as a fatal error of the render (Jinjava drops exceptions thrown from here). */
    private static @Nullable Object fail(@Nullable String message) {
        JinjavaInterpreter.getCurrent().addError(TemplateError.fromException(new IllegalArgumentException(
                message == null ? "invalid call" : message)));
        return null;
    }

    @Override
    public @Nullable Object getValue(ELContext context, @Nullable Object base, Object property) {
        Long index = property instanceof Number n ? Long.valueOf(n.longValue()) : integer(property);
        if (base instanceof CharSequence s && index != null) {
            context.setPropertyResolved(true);
            String str = s.toString();
            int len = str.codePointCount(0, str.length());
            long i = index < 0 ? index + len : index;
            if (i < 0 || i >= len) {
                return fail("string index out of range");
            }
            int at = str.offsetByCodePoints(0, (int) i);
            return str.substring(at, str.offsetByCodePoints(at, 1));
        }
        return null;
    }

    /** A subscript Jinjava passes as text ("-1"), as a number. */
    private static @Nullable Long integer(@Nullable Object property) {
        if (property instanceof String p && p.matches("-?\\d{1,18}")) {
            return Long.valueOf(p);
        }
        return null;
    }

    @Override
    public @Nullable Class<?> getType(ELContext context, @Nullable Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, @Nullable Object base, Object property, Object value) {
        // values are read-only here; other resolvers decide
    }

    @Override
    public boolean isReadOnly(ELContext context, @Nullable Object base, Object property) {
        return true;
    }

    @Override
    public @Nullable Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, @Nullable Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, @Nullable Object base) {
        return Object.class;
    }

    private static Object string(String s, String name, Object[] p) {
        return switch (name) {
            case "strip" -> strip(s, chars(p), true, true);
            case "lstrip" -> strip(s, chars(p), true, false);
            case "rstrip" -> strip(s, chars(p), false, true);
            case "split" -> split(s, p.length > 0 ? (String) p[0] : null, p.length > 1 ? toInt(p[1]) : -1);
            case "startswith" -> matchesAny(s, p, true);
            case "endswith" -> matchesAny(s, p, false);
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "title" -> title(s);
            case "capitalize" -> s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT)
                    + s.substring(1).toLowerCase(Locale.ROOT);
            case "replace" -> replace(s, str(p, 0), str(p, 1), p.length > 2 ? toInt(p[2]) : -1);
            case "count" -> count(s, str(p, 0));
            case "find" -> codePointIndex(s, s.indexOf(str(p, 0)));
            case "rfind" -> codePointIndex(s, s.lastIndexOf(str(p, 0)));
            case "join" -> join(s, p.length > 0 ? p[0] : List.of());
            case "isspace" -> !s.isEmpty() && s.chars().allMatch(PythonMethods::isSpace);
            case "isdigit" -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            case "isalpha" -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
            default -> throw new IllegalArgumentException("'str' object has no attribute '" + name + "'");
        };
    }

    private static Object dict(Map<?, ?> m, String name, Object[] p) {
        return switch (name) {
            case "items" -> {
                List<List<Object>> out = new ArrayList<>(m.size());
                m.forEach((k, v) -> {
                    List<Object> pair = new ArrayList<>(2);
                    pair.add(k);
                    pair.add(v);
                    out.add(pair);
                });
                yield out;
            }
            case "keys" -> new ArrayList<>(m.keySet());
            case "values" -> new ArrayList<>(m.values());
            case "get" -> {
                Object v = p.length > 0 ? m.get(p[0]) : null;
                yield v != null || (p.length > 0 && m.containsKey(p[0])) ? v : p.length > 1 ? p[1] : null;
            }
            default -> throw new IllegalArgumentException("'dict' object has no attribute '" + name + "'");
        };
    }

    private static String str(Object[] p, int i) {
        if (i >= p.length || !(p[i] instanceof CharSequence s)) {
            throw new IllegalArgumentException("expected a string argument " + (i + 1));
        }
        return s.toString();
    }

    private static int toInt(Object o) {
        return ((Number) o).intValue();
    }

    private static @Nullable String chars(Object[] p) {
        return p.length == 0 || p[0] == null ? null : p[0].toString();
    }

    static boolean isSpace(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85;
    }

    static String strip(String s, @Nullable String chars, boolean left, boolean right) {
        int a = 0;
        int b = s.length();
        while (left && a < b && (chars == null ? isSpace(s.charAt(a)) : chars.indexOf(s.charAt(a)) >= 0)) {
            a++;
        }
        while (right && b > a && (chars == null ? isSpace(s.charAt(b - 1)) : chars.indexOf(s.charAt(b - 1)) >= 0)) {
            b--;
        }
        return s.substring(a, b);
    }

    /** {@code str.split}: on runs of white space without a separator, else on each separator; {@code max} splits. */
    static List<String> split(String s, @Nullable String sep, int max) {
        List<String> out = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            while (true) {
                while (i < s.length() && isSpace(s.charAt(i))) {
                    i++;
                }
                if (i >= s.length()) {
                    return out;
                }
                if (max >= 0 && out.size() == max) {
                    out.add(strip(s.substring(i), null, false, true));
                    return out;
                }
                int j = i;
                while (j < s.length() && !isSpace(s.charAt(j))) {
                    j++;
                }
                out.add(s.substring(i, j));
                i = j;
            }
        }
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
        int from = 0;
        for (int at = s.indexOf(sep); at >= 0 && (max < 0 || out.size() < max); at = s.indexOf(sep, from)) {
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    private static boolean matchesAny(String s, Object[] p, boolean start) {
        Collection<?> options = p.length > 0 && p[0] instanceof Collection<?> c ? c : List.of(str(p, 0));
        for (Object o : options) {
            if (start ? s.startsWith(o.toString()) : s.endsWith(o.toString())) {
                return true;
            }
        }
        return false;
    }

    private static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean prevCased = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(prevCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
            prevCased = Character.isLetter(c);
        }
        return sb.toString();
    }

    private static String replace(String s, String old, String repl, int max) {
        if (max < 0) {
            return s.replace(old, repl);
        }
        StringBuilder sb = new StringBuilder();
        int from = 0;
        int n = 0;
        for (int at = s.indexOf(old); at >= 0 && n < max; at = s.indexOf(old, from), n++) {
            sb.append(s, from, at).append(repl);
            from = at + old.length();
            if (old.isEmpty()) {
                break;
            }
        }
        return sb.append(s.substring(from)).toString();
    }

    private static long count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.codePointCount(0, s.length()) + 1L;
        }
        long n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
            n++;
        }
        return n;
    }

    private static long codePointIndex(String s, int charIndex) {
        return charIndex < 0 ? -1 : s.codePointCount(0, charIndex);
    }

    private static String join(String sep, Object items) {
        StringBuilder sb = new StringBuilder();
        String between = "";
        for (Object o : items instanceof Iterable<?> it ? it : List.of(items)) {
            sb.append(between).append(PythonValues.str(o));
            between = sep;
        }
        return sb.toString();
    }
}
