package org.wegeft.cli.llmdemo;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.wegeft.kernels.io.AtomicFiles;
import org.wegeft.nn.train.SampleStats;
import org.wegeft.peft.FineTuningMethod;

/**
 * One run of the LLM demo (a method and a training seed), and {@code results.json}: {@code {"settings": {...},
 * "results": [{"method", "seed", "lr", "trainable_params", "total_params", "exact_match_before",
 * "exact_match_after", "train_seconds", "steps", "final_loss", "median_step_ms", "peak_tensor_mb", "scale",
 * "dropout", "sample_predictions"}, ...]}}.
 *
 * @param medianStepMs the median wall time of an optimizer step
 * @param peakTensorMb the most tensor memory live at once while training (the memory pool's peak)
 */
record DemoLlmResult(String method, long seed, double lr, long trainableParams, long totalParams,
                     AnswerScorer.Score before, AnswerScorer.Score after, double trainSeconds, long steps,
                     double finalLoss, float scale, float dropout, double medianStepMs, double peakTensorMb) {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final List<String> KEYS = List.of("method", "seed", "lr", "trainable_params", "total_params",
            "exact_match_before", "exact_match_after", "train_seconds", "steps", "final_loss", "median_step_ms",
            "peak_tensor_mb");

    /** The run's settings, written beside the results. */
    record Settings(String model, int trainSize, int testSize, long steps, int batch, int rank, long seed, int seeds,
                    List<String> targets) {
    }

    ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("method", method);
        o.put("seed", seed);
        o.put("lr", lr);
        o.put("trainable_params", trainableParams);
        o.put("total_params", totalParams);
        o.put("exact_match_before", before.exactMatch());
        o.put("exact_match_after", after.exactMatch());
        o.put("train_seconds", Math.round(trainSeconds * 100) / 100.0);
        o.put("steps", steps);
        o.put("final_loss", finalLoss);
        o.put("median_step_ms", Math.round(medianStepMs * 100) / 100.0);
        o.put("peak_tensor_mb", Math.round(peakTensorMb * 10) / 10.0);
        o.put("scale", scale);
        o.put("dropout", dropout);
        ArrayNode samples = o.putArray("sample_predictions");
        for (int i = 0; i < Math.min(5, after.predictions().size()); i++) {
            ObjectNode s = samples.addObject();
            s.put("before", before.predictions().get(i));
            s.put("after", after.predictions().get(i));
        }
        return o;
    }

    /** Writes {@code results.json} atomically (temporary file, then rename). */
    static void write(List<DemoLlmResult> results, Settings settings, Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode st = root.putObject("settings");
        st.put("model", settings.model());
        st.put("train_size", settings.trainSize());
        st.put("test_size", settings.testSize());
        st.put("steps", settings.steps());
        st.put("batch", settings.batch());
        st.put("rank", settings.rank());
        st.put("seed", settings.seed());
        st.put("seeds", settings.seeds());
        settings.targets().forEach(st.putArray("targets")::add);
        ArrayNode a = root.putArray("results");
        results.forEach(r -> a.add(r.toJson()));
        AtomicFiles.writeString(file, root.toPrettyString() + "\n");
    }

    /**
     * One row per method in {@code order}: exact match after tuning as mean ± sample std over its runs, the median of
     * the runs' median steps and the largest peak.
     */
    static String table(List<DemoLlmResult> results, List<? extends FineTuningMethod> order, int seeds) {
        StringBuilder sb = new StringBuilder();
        String head = "%-8s %10s %9s %9s %18s %8s %9s %7s%n";
        sb.append(String.format(Locale.ROOT, head, "method", "trainable", "% params", "EM before",
                "EM after (" + seeds + " seeds)", "step ms", "peak MB", "lr"));
        for (FineTuningMethod m : order) {
            List<DemoLlmResult> rs = results.stream().filter(r -> r.method.equals(m.name())).toList();
            if (rs.isEmpty()) {
                continue;
            }
            double[] em = rs.stream().mapToDouble(r -> r.after.exactMatch()).toArray();
            double medStep = SampleStats.of(rs.stream().mapToDouble(DemoLlmResult::medianStepMs).toArray());
            DemoLlmResult r = rs.get(0);
            sb.append(String.format(Locale.ROOT, "%-8s %,10d %8.3f%% %8.1f%% %11.1f ± %4.1f%% %8.1f %9.1f %7.0e%n",
                    m.label(), r.trainableParams, 100.0 * r.trainableParams / Math.max(1, r.totalParams),
                    100 * r.before.exactMatch(), 100 * SampleStats.mean(em), 100 * SampleStats.std(em), medStep,
                    rs.stream().mapToDouble(DemoLlmResult::peakTensorMb).max().orElse(0), r.lr));
        }
        return sb.toString();
    }
}
