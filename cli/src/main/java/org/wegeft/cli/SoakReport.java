package org.wegeft.cli;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.train.SampleStats;

/** The JSON lines of {@code bench soak}: one per sample, and the summary with its growth figures and verdicts. */
final class SoakReport {
    private SoakReport() {
    }

    static ObjectNode sampleJson(JsonMapper json, SoakProbe.Sample s) {
        ObjectNode o = json.createObjectNode().put("bench", "soak").put("step", s.step()).put("loss", s.loss());
        putNullable(o, "rss_bytes", s.rssBytes());
        o.put("heap_used_bytes", s.heapUsedBytes())
                .put("pool_live_bytes", s.poolLiveBytes())
                .put("pool_cached_bytes", s.poolCachedBytes())
                .put("direct_bytes", s.directBytes())
                .put("offheap_bytes", s.offHeapBytes());
        if (s.openFds() == null) {
            o.putNull("open_fds");
        } else {
            o.put("open_fds", s.openFds());
        }
        return o;
    }

    /**
     * The summary line: warm-up is the first 10 % of steps; the baseline is the median of the samples in the next
     * 10 %, the end the median of the samples in the last 10 % (the nearest sample where a window holds none).
     */
    static ObjectNode summarize(JsonMapper json, List<SoakProbe.Sample> samples, long steps) {
        return summarize(json, samples, steps, BenchSoakCommand.GROWTH_LIMIT_PCT);
    }

    /** {@link #summarize(JsonMapper, List, long)} passing growth below {@code limit} percent. */
    static ObjectNode summarize(JsonMapper json, List<SoakProbe.Sample> samples, long steps, double limit) {
        long window = Math.max(1, steps / 10);
        long warmup = window;
        List<SoakProbe.Sample> after = samples.stream().filter(s -> s.step() > warmup).toList();
        if (after.isEmpty()) {
            after = List.of(samples.getLast());
        }
        List<SoakProbe.Sample> base = after.stream().filter(s -> s.step() <= warmup + window).toList();
        if (base.isEmpty()) {
            base = List.of(after.getFirst());
        }
        List<SoakProbe.Sample> tail = after.stream().filter(s -> s.step() > steps - window).toList();
        if (tail.isEmpty()) {
            tail = List.of(after.getLast());
        }
        ObjectNode o = json.createObjectNode().put("bench", "soak").put("summary", true).put("steps", steps)
                .put("warmup_steps", warmup).put("samples", samples.size())
                .put("first_loss", samples.getFirst().loss()).put("last_loss", samples.getLast().loss());
        boolean proc = samples.getFirst().rssBytes() != null;
        Double rss = proc ? growthPct(base, tail, s -> nonNull(s.rssBytes())) : null;
        double offHeap = growthPct(base, tail, SoakProbe.Sample::offHeapBytes);
        putNullable(o, "rss_growth_pct", rss);
        o.put("offheap_growth_pct", offHeap);
        o.put("heap_growth_pct", growthPct(base, tail, SoakProbe.Sample::heapUsedBytes));
        o.put("offheap_bytes_end", (long) median(tail, SoakProbe.Sample::offHeapBytes));
        Integer fdMin = null;
        Integer fdMax = null;
        if (proc) {
            fdMin = after.stream().mapToInt(s -> nonNull(s.openFds())).min().orElseThrow();
            fdMax = after.stream().mapToInt(s -> nonNull(s.openFds())).max().orElseThrow();
        }
        putNullable(o, "fd_min", fdMin);
        putNullable(o, "fd_max", fdMax);
        o.put("growth_limit_pct", limit);
        putNullable(o, "pass_rss", rss == null ? null : rss < limit);
        o.put("pass_offheap", offHeap < limit);
        putNullable(o, "pass_fd", fdMin == null ? null : fdMin.equals(fdMax));
        o.put("pass", (rss == null || rss < limit) && offHeap < limit
                && (fdMin == null || fdMin.equals(fdMax)));
        return o;
    }

    /** 100 · (median(tail) − median(base)) / median(base); 0 when both are 0. */
    static double growthPct(List<SoakProbe.Sample> base, List<SoakProbe.Sample> tail,
            ToDoubleFunction<SoakProbe.Sample> f) {
        double b = median(base, f);
        double t = median(tail, f);
        if (b == 0) {
            return t == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return 100 * (t - b) / b;
    }

    static double median(List<SoakProbe.Sample> samples, ToDoubleFunction<SoakProbe.Sample> f) {
        return SampleStats.of(samples.stream().mapToDouble(f).toArray());
    }

    static <T> T nonNull(@Nullable T v) {
        if (v == null) {
            throw new IllegalStateException("a /proc figure went missing during the run");
        }
        return v;
    }

    static void putNullable(ObjectNode o, String key, @Nullable Object v) {
        switch (v) {
            case null -> o.putNull(key);
            case Long l -> o.put(key, l);
            case Integer i -> o.put(key, i);
            case Double d -> o.put(key, d);
            case Boolean b -> o.put(key, b);
            default -> o.put(key, v.toString());
        }
    }
}
