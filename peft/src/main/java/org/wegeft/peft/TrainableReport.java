package org.wegeft.peft;

import java.util.Locale;

/** Trainable and total parameter counts, printed as PEFT's {@code print_trainable_parameters()}. */
public record TrainableReport(long trainable, long total) {
    public double percent() {
        return total == 0 ? 0 : 100.0 * trainable / total;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "trainable params: %,d || all params: %,d || trainable%%: %.4f",
                trainable, total, percent());
    }
}
