package org.wegeft.vision.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.DoubleFunction;
import org.wegeft.peft.FineTuningMethod;

/**
 * VTAB-1k's protocol for hyper-parameters: hold out part of the training set (200 of 1,000), train on the rest with
 * each learning rate of a small grid, keep the one with the best held-out accuracy (ties to the earlier, lower
 * rate). The test set is never read.
 */
public final class LrSelection {
    private LrSelection() {}

    /** One learning rate tried: the held-out accuracy it reached. */
    public record Trial(FineTuningMethod method, double lr, double accuracy) {}

    /** The grid tried per method: 2e-3 … 1e-1 for adapters and heads, 10× lower for full fine-tuning. */
    public static List<Double> grid(FineTuningMethod m) {
        List<Double> g = List.of(2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 1e-1);
        return m.trainsAllWeights() ? g.stream().map(x -> x / 10).toList() : g;
    }

    /**
     * Trains {@code method} on {@code train} with each rate of {@code grid} (the recipe {@code recipe} makes for it)
     * and validates on {@code heldOut}.
     *
     * @param onTrial told of each rate as soon as it has been validated
     * @return the best trial
     */
    public static Trial select(FineTuner tuner, Path modelDir, FineTuningMethod method, int rank, List<String> targets,
            VitData.Rows train, VitData.Rows heldOut, List<Double> grid, DoubleFunction<Recipe> recipe,
            Consumer<Trial> onTrial) throws IOException {
        if (grid.isEmpty()) {
            throw new IllegalArgumentException("an empty learning-rate grid for " + method.name());
        }
        Trial best = new Trial(method, Double.NaN, -1);
        for (double lr : grid) {
            FineTuneResult r = tuner.run(modelDir, method, rank, targets, train, heldOut, recipe.apply(lr), null);
            Trial t = new Trial(method, lr, r.testAccuracy());
            onTrial.accept(t);
            if (t.accuracy() > best.accuracy()) {
                best = t;
            }
        }
        return best;
    }
}
