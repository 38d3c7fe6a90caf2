package org.wegeft.peft;

import org.wegeft.nn.Module;

/**
 * A way to fine-tune a model, chosen by name ({@code --method wegeft}): an adapter method ({@link AdapterMethod}: a
 * config made from a {@link MethodOptions}, then injected) or a baseline ({@link BaselineMethod}: which existing parameters
 * train). Each is listed once in {@link FineTuningMethods}; the command line, the demos, the benchmarks and the FLOP
 * model ask it, never a list of names.
 */
public interface FineTuningMethod {
    /** The command-line name, lower case ({@code wegeft}, {@code lora}, {@code full}, …). */
    String name();

    /** The display name ({@code WeGeFT}, {@code LoRA}, {@code full fine-tuning}, …). */
    String label();

    /** Makes {@code model} train this way (adapter tensors drawn from {@code seed}); {@code model} already has its head. */
    PeftModel apply(Module model, MethodOptions options, long seed);

    /** Whether the result is an adapter folder ({@code adapter_config.json} and its tensors), not whole weights. */
    boolean writesAdapter();

    /** Whether every weight of the model trains (full fine-tuning): frozen half-precision weights will not do. */
    default boolean trainsAllWeights() {
        return false;
    }

    /** The rank a options uses when the user gives none (methods without a rank: 0). */
    default int defaultRank() {
        return 0;
    }

    /**
     * The matrix-multiply FLOPs of one training step that it adds to one adapted linear layer of {@code tokens} rows,
     * (tokens × dIn) → (tokens × dOut), at {@code rank}; {@code inputGradient}: the layer's input needs a gradient.
     */
    default AdapterFlops adapterFlops(double tokens, double dIn, double dOut, int rank, boolean inputGradient) {
        return AdapterFlops.NONE;
    }
}
