package org.wegeft.cli.vit;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.wegeft.nn.train.SampleStats;
import org.wegeft.peft.FineTuningMethod;
import org.wegeft.vision.train.FineTuneResult;

/**
 * The demo's multi-faceted table, one row per method over its seeds, and the comparison of the first method (WeGeFT
 * by default) with each of the others.
 */
final class DemoTable {
    private DemoTable() {}

    /**
     * One method over its runs.
     * @param accMean      mean test accuracy in [0, 1]
     * @param accStd       sample standard deviation of the test accuracy (0 for one run)
     * @param medianStepMs the median of the runs' median step times
     * @param tensorMb     the largest peak tensor memory of the runs ({@link FineTuneResult#peakTensorMb})
     * @param peakMb       the largest peak resident memory of the runs (the whole JVM)
     */
    record Row(String method, String label, long trainable, double trainablePercent, int runs, double accMean,
            double accStd, double medianStepMs, double tensorMb, double peakMb, double lr) {}

    /** The rows of the methods in {@code order} that have results. */
    static List<Row> rows(List<FineTuneResult> results, List<FineTuningMethod> order) {
        List<Row> out = new ArrayList<>();
        for (FineTuningMethod m : order) {
            List<FineTuneResult> rs = results.stream().filter(r -> r.method().equals(m.name())).toList();
            if (rs.isEmpty()) {
                continue;
            }
            double[] acc = rs.stream().mapToDouble(FineTuneResult::testAccuracy).toArray();
            double step = SampleStats.of(rs.stream().mapToDouble(FineTuneResult::medianStepMs).toArray());
            FineTuneResult first = rs.get(0);
            out.add(new Row(m.name(), m.label(), first.trainableParams(), first.trainablePercent(), rs.size(),
                    SampleStats.mean(acc), SampleStats.std(acc), step,
                    rs.stream().mapToDouble(FineTuneResult::peakTensorMb).max().orElse(-1),
                    rs.stream().mapToDouble(FineTuneResult::peakMemoryMb).max().orElse(-1), first.lr()));
        }
        return out;
    }

    static String render(List<Row> rows, int seeds) {
        StringBuilder sb = new StringBuilder();
        String fmt = "%-18s %11s %10s %18s %9s %10s %10s %7s%n";
        sb.append(String.format(Locale.ROOT, fmt, "method", "trainable", "% of model",
                "test acc (" + seeds + " seeds)", "step ms", "tensor MB", "process MB", "lr"));
        sb.append("-".repeat(100)).append('\n');
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%-18s %,11d %9.3f%% %10.2f ± %4.2f%% %9.1f %10.1f %10.0f %7.0e%n",
                    r.label(), r.trainable(), r.trainablePercent(), 100 * r.accMean(), 100 * r.accStd(),
                    r.medianStepMs(), r.tensorMb(), r.peakMb(), r.lr()));
        }
        return sb.toString();
    }

    /** The first row against each other: accuracy points, the parameter ratio, step time and memory ratios. */
    static String verdict(List<Row> rows) {
        if (rows.size() < 2) {
            return "(one method: nothing to compare)";
        }
        Row a = rows.get(0);
        StringBuilder sb = new StringBuilder();
        for (Row b : rows.subList(1, rows.size())) {
            sb.append(String.format(Locale.ROOT,
                    "%s vs %s: %+.2f points, %s trainable parameters, step %.2fx, tensor memory %.3fx, process "
                            + "memory %.2fx%n", a.label(), b.label(), 100 * (a.accMean() - b.accMean()),
                    paramRatio(a.trainable(), b.trainable()), a.medianStepMs() / b.medianStepMs(),
                    a.tensorMb() / b.tensorMb(), a.peakMb() / b.peakMb()));
        }
        return sb.toString().stripTrailing();
    }

    private static String paramRatio(long a, long b) {
        return a <= b ? String.format(Locale.ROOT, "%.1fx fewer", (double) b / Math.max(1, a))
                : String.format(Locale.ROOT, "%.1fx more", (double) a / Math.max(1, b));
    }
}
