package org.wegeft.peft;

import org.wegeft.nn.Module;

/**
 * The baselines as fine-tuning methods: full fine-tuning, a linear probe (the options's heads only) and BitFit (every
 * bias and the heads). No file format of their own; they choose which existing parameters train ({@link Baseline}).
 */
public record BaselineMethod(String name, String label, Baseline.Kind kind) implements FineTuningMethod {
    public static final BaselineMethod FULL = new BaselineMethod("full", "full fine-tuning", Baseline.Kind.FULL);
    public static final BaselineMethod PROBE = new BaselineMethod("probe", "linear probe", Baseline.Kind.LINEAR_PROBE);
    public static final BaselineMethod BITFIT = new BaselineMethod("bitfit", "BitFit", Baseline.Kind.BITFIT);

    @Override
    public PeftModel apply(Module model, MethodOptions options, long seed) {
        return PeftModel.baseline(model, new Baseline(kind, kind == Baseline.Kind.FULL ? java.util.List.of()
                : options.heads()));
    }

    @Override
    public boolean writesAdapter() {
        return false;
    }

    @Override
    public boolean trainsAllWeights() {
        return kind == Baseline.Kind.FULL;
    }
}
