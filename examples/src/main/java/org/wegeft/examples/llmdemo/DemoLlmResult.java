package org.wegeft.examples.llmdemo;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * One method's row of the LLM demo, and {@code results.json}: {@code {"settings": {...}, "results": [{"method",
 * "trainable_params", "total_params", "exact_match_before", "exact_match_after", "train_seconds", "steps",
 * "final_loss", "scale", "dropout", "sample_predictions"}, ...]}}.
 */
record DemoLlmResult(String method, long trainableParams, long totalParams, AnswerScorer.Score before,
                     AnswerScorer.Score after, double trainSeconds, long steps, double finalLoss, float scale,
                     float dropout) {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final List<String> KEYS = List.of("method", "trainable_params", "total_params", "exact_match_before",
            "exact_match_after", "train_seconds", "steps", "final_loss");

    /** The run's settings, written beside the results. */
    record Settings(String model, int trainSize, int testSize, long steps, int batch, double lr, int rank, long seed,
                    List<String> targets) {
    }

    ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("method", method);
        o.put("trainable_params", trainableParams);
        o.put("total_params", totalParams);
        o.put("exact_match_before", before.exactMatch());
        o.put("exact_match_after", after.exactMatch());
        o.put("train_seconds", Math.round(trainSeconds * 100) / 100.0);
        o.put("steps", steps);
        o.put("final_loss", finalLoss);
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
        st.put("lr", settings.lr());
        st.put("rank", settings.rank());
        st.put("alpha", 2.0 * settings.rank());
        st.put("seed", settings.seed());
        settings.targets().forEach(st.putArray("targets")::add);
        ArrayNode a = root.putArray("results");
        results.forEach(r -> a.add(r.toJson()));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, root.toPrettyString() + "\n");
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static String table(List<DemoLlmResult> results) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-8s %12s %9s %10s %10s %9s%n", "method", "trainable", "% params",
                "EM before", "EM after", "train s"));
        for (DemoLlmResult r : results) {
            sb.append(String.format(Locale.ROOT, "%-8s %,12d %8.3f%% %9.1f%% %9.1f%% %9.1f%n", r.method,
                    r.trainableParams, 100.0 * r.trainableParams / Math.max(1, r.totalParams),
                    100 * r.before.exactMatch(), 100 * r.after.exactMatch(), r.trainSeconds));
        }
        return sb.toString();
    }
}
