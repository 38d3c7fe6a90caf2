package org.wegeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BenchSoakCommandTest {
    private static final JsonMapper JSON = new JsonMapper();
    private static final Set<String> SAMPLE_FIELDS = Set.of("bench", "step", "loss", "rss_bytes", "heap_used_bytes",
            "pool_live_bytes", "pool_cached_bytes", "direct_bytes", "offheap_bytes", "open_fds");
    private static final Set<String> SUMMARY_FIELDS = Set.of("bench", "summary", "steps", "warmup_steps", "samples",
            "first_loss", "last_loss", "rss_growth_pct", "offheap_growth_pct", "heap_growth_pct", "offheap_bytes_end",
            "fd_min", "fd_max", "growth_limit_pct", "pass_rss", "pass_offheap", "pass_fd", "pass", "trainable_params",
            "seconds");

    private static Set<String> fields(JsonNode n) {
        Set<String> s = new java.util.HashSet<>();
        n.fieldNames().forEachRemaining(s::add);
        return s;
    }

    @Test
    void shortSoakPrintsSamplesAndSummaryWithConstantFileDescriptors() throws Exception {
        CliRun.Result r = CliRun.run("bench", "soak", "--steps", "30", "--sample-every", "2", "--dim",
                "32", "--depth", "1", "--batch", "2", "--seed", "3");
        List<JsonNode> lines = new ArrayList<>();
        for (String l : r.out().lines().toList()) {
            lines.add(JSON.readTree(l));
        }
        assertEquals(16, lines.size(), r.out() + r.err()); // steps 2, 4, …, 30, then the summary
        // 30 steps are mostly the JIT warming up, so the growth bounds of a long run may or may not hold here; the
        // status must say which
        assertEquals(lines.getLast().get("pass").asBoolean() ? 0 : 1, r.status(), r.out() + r.err());
        boolean proc = SoakProbe.procAvailable();
        if (!proc) {
            System.out.println("no /proc/self here: resident memory and fd figures are null, fd check skipped");
            assertTrue(r.err().contains("/proc/self is absent"), r.err());
        }
        for (int i = 0; i < 15; i++) {
            JsonNode s = lines.get(i);
            assertEquals(SAMPLE_FIELDS, fields(s), s.toString());
            assertEquals(2L * (i + 1), s.get("step").asLong());
            assertTrue(Float.isFinite((float) s.get("loss").asDouble()), s.toString());
            assertTrue(s.get("heap_used_bytes").asLong() > 0, s.toString());
            assertTrue(s.get("pool_live_bytes").asLong() > 0, "the model's weights live in the tensor pool: " + s);
            assertEquals(s.get("pool_live_bytes").asLong() + s.get("pool_cached_bytes").asLong()
                    + s.get("direct_bytes").asLong(), s.get("offheap_bytes").asLong(), s.toString());
            assertEquals(proc, s.get("rss_bytes").isIntegralNumber(), s.toString());
            assertEquals(proc, s.get("open_fds").isIntegralNumber(), s.toString());
        }
        JsonNode sum = lines.getLast();
        assertEquals(SUMMARY_FIELDS, fields(sum), sum.toString());
        assertTrue(sum.get("summary").asBoolean());
        assertEquals(30, sum.get("steps").asLong());
        assertEquals(3, sum.get("warmup_steps").asLong());
        assertEquals(15, sum.get("samples").asInt());
        assertTrue(sum.get("last_loss").asDouble() < sum.get("first_loss").asDouble(), "training on one batch: " + sum);
        assertTrue(sum.get("offheap_growth_pct").isNumber(), sum.toString());
        if (proc) {
            assertTrue(sum.get("rss_growth_pct").isNumber(), sum.toString());
            int fdMin = sum.get("fd_min").asInt();
            int fdMax = sum.get("fd_max").asInt();
            assertTrue(fdMin > 0, sum.toString());
            assertEquals(fdMin, fdMax, "open file descriptors changed after warm-up: " + sum);
            assertTrue(sum.get("pass_fd").asBoolean(), sum.toString());
        }
    }

    private static SoakProbe.Sample sample(long step, long rss, long offHeap, int fds) {
        return new SoakProbe.Sample(step, 1f, rss, 1000, offHeap, 0, 0, fds);
    }

    @Test
    void summaryComparesLastTenPercentWithTheTenPercentAfterWarmUp() {
        List<SoakProbe.Sample> samples = new ArrayList<>();
        for (long step = 10; step <= 100; step += 10) {
            // warm-up (step 10) is large and ignored; 20 is the baseline window; 100 the last window
            long rss = step == 10 ? 5000 : step == 100 ? 1100 : 1000;
            long off = step == 10 ? 9000 : 2000;
            samples.add(sample(step, rss, off, step < 50 ? 7 : 8));
        }
        JsonNode sum = SoakReport.summarize(JSON, samples, 100);
        assertEquals(10, sum.get("warmup_steps").asLong());
        assertEquals(10.0, sum.get("rss_growth_pct").asDouble(), 1e-9);
        assertEquals(0.0, sum.get("offheap_growth_pct").asDouble(), 1e-9);
        assertEquals(7, sum.get("fd_min").asInt());
        assertEquals(8, sum.get("fd_max").asInt());
        assertFalse(sum.get("pass_rss").asBoolean());
        assertTrue(sum.get("pass_offheap").asBoolean());
        assertFalse(sum.get("pass_fd").asBoolean());
        assertFalse(sum.get("pass").asBoolean());
    }

    @Test
    void summaryPassesAFlatRunAndLeavesProcFiguresNullWithoutProc() {
        List<SoakProbe.Sample> samples = new ArrayList<>();
        for (long step = 1; step <= 20; step++) {
            samples.add(new SoakProbe.Sample(step, 1f, null, 1000, 4096 + step, 0, 0, null));
        }
        JsonNode sum = SoakReport.summarize(JSON, samples, 20);
        assertTrue(sum.get("rss_growth_pct").isNull(), sum.toString());
        assertTrue(sum.get("fd_min").isNull(), sum.toString());
        assertTrue(sum.get("pass_fd").isNull(), sum.toString());
        // baseline: steps 3-4 (median 4099.5), last 10 %: steps 19-20 (median 4115.5)
        assertEquals(100 * 16 / 4099.5, sum.get("offheap_growth_pct").asDouble(), 1e-9);
        assertTrue(sum.get("pass").asBoolean(), sum.toString());
    }
}
