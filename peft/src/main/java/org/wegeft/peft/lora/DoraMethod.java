package org.wegeft.peft.lora;

import org.wegeft.peft.AdapterConfig;
import org.wegeft.peft.AdapterFlops;
import org.wegeft.peft.AdapterRecipe;
import org.wegeft.peft.MethodOptions;

/**
 * DoRA (weight-decomposed low-rank adaptation) as a fine-tuning method of its own ({@code --method dora}). Its
 * adapters are LoRA's with {@code use_dora: true}, as Hugging Face PEFT keeps them, so {@link LoraMethod} reads,
 * writes, injects and merges them; this entry gives DoRA its name, its defaults and its cost.
 */
public final class DoraMethod implements AdapterRecipe {
    private final LoraMethod lora = new LoraMethod();

    @Override
    public String name() {
        return "dora";
    }

    @Override
    public String label() {
        return "DoRA";
    }

    @Override
    public int defaultRank() {
        return lora.defaultRank();
    }

    /** LoRA's config for {@code options}, with {@code use_dora}. */
    @Override
    public AdapterConfig config(MethodOptions options) {
        return ((LoraConfig) lora.config(options)).withDora(true);
    }

    /**
     * LoRA's products, plus the row norms of W + s·B A each step: B A (2·r·d_in·d_out) forward, and the direction
     * x Wᵀ that DoRA rescales is kept; the magnitude's gradient is element-wise.
     */
    @Override
    public AdapterFlops adapterFlops(double tokens, double dIn, double dOut, int rank, boolean inputGradient) {
        AdapterFlops l = lora.adapterFlops(tokens, dIn, dOut, rank, inputGradient);
        return new AdapterFlops(l.forward() + 2 * rank * dIn * dOut, l.backward(), l.baseInputGradient());
    }
}
