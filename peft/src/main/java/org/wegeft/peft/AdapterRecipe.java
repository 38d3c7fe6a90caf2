package org.wegeft.peft;

import org.wegeft.nn.Module;

/**
 * A fine-tuning method that trains an adapter: a config made from {@link MethodOptions}, then injected. Every
 * {@link AdapterMethod} is one; so is a variant that shares another method's file format (DoRA is LoRA's
 * {@code peft_type} with {@code use_dora: true}).
 */
public interface AdapterRecipe extends FineTuningMethod {
    /** Its config for {@code options}: rank, alpha, dropout and targets as asked, the method's defaults otherwise. */
    AdapterConfig config(MethodOptions options);

    /** Injects {@link #config}{@code (options)}. */
    @Override
    default PeftModel apply(Module model, MethodOptions options, long seed) {
        return PeftModel.inject(model, config(options), seed);
    }

    @Override
    default boolean writesAdapter() {
        return true;
    }
}
