package org.wegeft.examples.vit;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.wegeft.peft.FineTuningMethod;

/** The demo's text table and its one-line comparison of WeGeFT with LoRA and the linear probe. */
final class DemoTable {
    private DemoTable() {}

    static String render(List<MethodResult> results, List<FineTuningMethod> order) {
        StringBuilder sb = new StringBuilder();
        String fmt = "%-18s %12s %12s %10s %9s %9s%n";
        sb.append(String.format(Locale.ROOT, fmt, "method", "trainable", "% of model", "test acc", "train s",
                "peak MB"));
        sb.append("-".repeat(75)).append('\n');
        for (MethodResult r : results) {
            String label = order.stream().filter(m -> m.name().equals(r.method())).findFirst()
                    .map(FineTuningMethod::label).orElse(r.method());
            sb.append(String.format(Locale.ROOT, "%-18s %,12d %11.3f%% %9.2f%% %9.1f %9.0f%n", label,
                    r.trainableParams(), r.trainablePercent(), 100 * r.testAccuracy(), r.trainSeconds(),
                    r.peakMemoryMb()));
        }
        return sb.toString();
    }

    /** WeGeFT against the linear probe (accuracy) and LoRA (accuracy and parameters), when all three ran. */
    static String verdict(List<MethodResult> results) {
        Optional<MethodResult> w = find(results, "wegeft");
        Optional<MethodResult> l = find(results, "lora");
        Optional<MethodResult> p = find(results, "probe");
        if (w.isEmpty() || l.isEmpty() || p.isEmpty()) {
            return "(WeGeFT, LoRA and the linear probe are needed for the comparison)";
        }
        double vsProbe = 100 * (w.get().testAccuracy() - p.get().testAccuracy());
        double vsLora = 100 * (w.get().testAccuracy() - l.get().testAccuracy());
        double ratio = (double) l.get().trainableParams() / Math.max(1, w.get().trainableParams());
        return String.format(Locale.ROOT,
                "WeGeFT vs linear probe: %+.2f points; vs LoRA: %+.2f points with %.1fx fewer trainable parameters",
                vsProbe, vsLora, ratio);
    }

    private static Optional<MethodResult> find(List<MethodResult> results, String id) {
        return results.stream().filter(r -> r.method().equals(id)).findFirst();
    }
}
