package org.wegeft.examples.vit;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import org.wegeft.nn.data.ArrowDataset;
import org.wegeft.peft.FineTuningMethod;

/**
 * {@code demo vit --select-lr}: VTAB-1k's protocol for hyper-parameters — hold out part of the training set
 * (200 of 1,000), train on the rest with each learning rate of a small grid, keep the one with the best held-out
 * accuracy. The test set is never read.
 */
final class LrSelection {
    private LrSelection() {}

    /** The grid tried per method: 2e-3 … 1e-1 for adapters and heads, 10× lower for full fine-tuning. */
    static List<Double> grid(FineTuningMethod m) {
        List<Double> g = List.of(2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 1e-1);
        return m.trainsAllWeights() ? g.stream().map(x -> x / 10).toList() : g;
    }

    static void run(DemoVitCommand demo, List<FineTuningMethod> methods, ArrowDataset train) throws IOException {
        VitData.Rows[] split = VitData.Rows.split(train, demo.heldOut, demo.seed);
        FineTuner tuner = new FineTuner("image", "label", demo.workers, null, false);
        PrintWriter stdout = demo.spec.commandLine().getOut();
        ArrayNode all = JsonMapper.builder().build().createArrayNode();
        stdout.printf(Locale.ROOT, "learning-rate selection: train on %d, validate on %d held-out training images%n",
                split[0].size(), split[1].size());
        for (FineTuningMethod m : methods) {
            double best = Double.NaN;
            double bestAcc = -1;
            for (double lr : demo.lrGrid.isEmpty() ? grid(m) : demo.lrGrid) {
                MethodResult r = tuner.run(demo.model, m, demo.rank, demo.targets, split[0], split[1],
                        demo.recipe(lr), null);
                stdout.printf(Locale.ROOT, "  %-18s lr %.0e  validation accuracy %6.2f %%%n", m.label(), lr,
                        100 * r.testAccuracy());
                stdout.flush();
                ObjectNode o = all.addObject();
                o.put("method", m.name());
                o.put("lr", lr);
                o.put("val_accuracy", r.testAccuracy());
                if (r.testAccuracy() > bestAcc) {
                    bestAcc = r.testAccuracy();
                    best = lr;
                }
            }
            stdout.printf(Locale.ROOT, "%s: best lr %.0e (%.2f %%)%n", m.label(), best, 100 * bestAcc);
        }
        Files.writeString(demo.out.resolve("lr_selection.json"), all.toPrettyString() + "\n");
        stdout.flush();
    }
}
