package org.wegeft.llm.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What transformers adds to Jinja for chat templates, and the Python semantics Jinjava lacks, as Jinjava functions,
 * filters and tags: {@code raise_exception}, {@code strftime_now}, the {@code tojson} filter, the
 * {@code {% generation %}} block, slices ({@link PythonSyntax#SLICE_FUNCTION}) and printing as Python's {@code str}.
 */
final class JinjaExtensions {
    /** The context key of the instant {@code strftime_now} formats; not a name a template can write. */
    static final String NOW_KEY = "wegeft.now";
    static final String STR_FUNCTION = "__py_str";

    private JinjaExtensions() {
    }

    /** An error the template raised itself; its message is the template's. */
    static final class Raised extends RuntimeException {
        Raised(String message) {
            super(message);
        }
    }

    public static Object raiseException(Object message) {
        throw new Raised(PythonValues.str(message));
    }

    public static String pyStr(@Nullable Object v) {
        return PythonValues.str(v);
    }

    /** Python's {@code x[start:stop:step]} on a string (by code point) or a list. */
    public static Object pySlice(Object x, @Nullable Object start, @Nullable Object stop, @Nullable Object step) {
        boolean string = x instanceof CharSequence;
        List<?> items = string ? x.toString().codePoints().mapToObj(Character::toString).toList()
                : x instanceof List<?> l ? l : x instanceof Iterable<?> it ? toList(it) : null;
        if (items == null) {
            throw new IllegalArgumentException("'" + x.getClass().getSimpleName() + "' object is not subscriptable");
        }
        int n = items.size();
        long st = step == null ? 1 : ((Number) step).longValue();
        if (st == 0) {
            throw new IllegalArgumentException("slice step cannot be zero");
        }
        long a = bound(start, n, st, true);
        long b = bound(stop, n, st, false);
        List<Object> out = new ArrayList<>();
        for (long i = a; st > 0 ? i < b : i > b; i += st) {
            out.add(items.get((int) i));
        }
        if (!string) {
            return out;
        }
        StringBuilder sb = new StringBuilder();
        out.forEach(sb::append);
        return sb.toString();
    }

    private static List<Object> toList(Iterable<?> it) {
        List<Object> out = new ArrayList<>();
        it.forEach(out::add);
        return out;
    }

    /** Python's slice.indices for one bound. */
    private static long bound(@Nullable Object v, int n, long step, boolean isStart) {
        if (v == null) {
            return step > 0 ? (isStart ? 0 : n) : (isStart ? n - 1 : -1);
        }
        long i = ((Number) v).longValue();
        if (i < 0) {
            i += n;
            if (i < 0) {
                i = step > 0 ? 0 : -1;
            }
        } else if (i >= n) {
            i = step > 0 ? n : n - 1;
        }
        return i;
    }

    /** transformers' {@code strftime_now(format)}: the render's instant in Python's strftime format (C locale). */
    public static String strftimeNow(String format) {
        ZonedDateTime t = (ZonedDateTime) JinjavaInterpreter.getCurrent().getContext().get(NOW_KEY);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                sb.append(c);
                continue;
            }
            char d = format.charAt(++i);
            switch (d) {
                case 'a' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'b' -> sb.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'B' -> sb.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'd' -> sb.append(two(t.getDayOfMonth()));
                case 'm' -> sb.append(two(t.getMonthValue()));
                case 'Y' -> sb.append(t.getYear());
                case 'y' -> sb.append(two(t.getYear() % 100));
                case 'H' -> sb.append(two(t.getHour()));
                case 'I' -> sb.append(two(t.getHour() % 12 == 0 ? 12 : t.getHour() % 12));
                case 'M' -> sb.append(two(t.getMinute()));
                case 'S' -> sb.append(two(t.getSecond()));
                case 'p' -> sb.append(t.getHour() < 12 ? "AM" : "PM");
                case 'j' -> sb.append(String.format("%03d", t.getDayOfYear()));
                case '%' -> sb.append('%');
                default -> throw new IllegalArgumentException("strftime_now: unsupported directive %" + d);
            }
        }
        return sb.toString();
    }

    private static String two(int v) {
        return v < 10 ? "0" + v : Integer.toString(v);
    }

    /** transformers' tojson: json.dumps with ensure_ascii off; indent, separators and sort_keys as keywords. */
    static final class ToJson implements Filter {
        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return filter(var, interpreter, args, Map.of());
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object indent = kwargs.getOrDefault("indent", args.length > 0 ? args[0] : null);
            String item = null;
            String key = null;
            if (kwargs.get("separators") instanceof List<?> seps && seps.size() == 2) {
                item = seps.get(0).toString();
                key = seps.get(1).toString();
            }
            boolean sort = Boolean.TRUE.equals(kwargs.get("sort_keys"));
            return PythonValues.json(var, indent == null ? null : ((Number) indent).intValue(), item, key, sort);
        }
    }

    /** {@code {% generation %}…{% endgeneration %}}: renders its body (it marks what the assistant generates). */
    static final class Generation implements Tag {
        @Override
        public String getName() {
            return "generation";
        }

        @Override
        public String getEndTagName() {
            return "endgeneration";
        }

        @Override
        public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
            StringBuilder sb = new StringBuilder();
            for (Node child : tagNode.getChildren()) {
                sb.append(child.render(interpreter).getValue());
            }
            return sb.toString();
        }
    }
}
