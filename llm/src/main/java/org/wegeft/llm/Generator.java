package org.wegeft.llm;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;

/**
 * Autoregressive decoding of one sequence with a {@link CausalLM}: greedy or sampled
 * ({@link GenerationConfig}), stopping after an EOS id or {@code maxNewTokens}, each token handed to a callback
 * as soon as it is chosen (for streaming to a terminal). With the KV cache, the prompt is run once (prefill)
 * and then one token per step; without it, the whole sequence is recomputed each step (same tokens, slower).
 * Runs under no-grad in eval mode (the model's mode is restored afterwards).
 *
 * <pre>{@code
 * int[] out = new Generator(model).generate(promptIds, GenerationConfig.greedy(64, config.eosTokenIds()),
 *         id -> System.out.print(tokenizer.decode(id)));
 * }</pre>
 */
public final class Generator {
    private final CausalLM model;

    public Generator(CausalLM model) {
        this.model = model;
    }

    /**
     * Generates after {@code prompt}.
     * @param onToken called with each new token id, in order (EOS included), or null
     * @return the new tokens (an EOS that stopped generation is the last one)
     */
    public int[] generate(int[] prompt, GenerationConfig config, @Nullable IntConsumer onToken) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("generation needs a non-empty prompt");
        }
        for (int id : prompt) {
            if (id < 0 || id >= model.config().vocabSize()) {
                throw new IllegalArgumentException("prompt token " + id + " is outside the vocabulary [0, "
                        + model.config().vocabSize() + ")");
            }
        }
        boolean wasTraining = model.isTraining();
        model.eval();
        SplittableRandom rng = new SplittableRandom(config.seed());
        int[] seq = Arrays.copyOf(prompt, prompt.length + config.maxNewTokens());
        int n = prompt.length;
        try (Grad.Mode off = Grad.disabled();
             KvCache cache = config.useCache() && config.maxNewTokens() > 0
                     ? model.newCache(1, prompt.length + config.maxNewTokens()) : null) {
            for (int step = 0; step < config.maxNewTokens(); step++) {
                float[] logits = nextLogits(seq, n, cache);
                int next = Sampler.pick(logits, config, rng);
                seq[n++] = next;
                if (onToken != null) {
                    onToken.accept(next);
                }
                if (config.eosTokenIds().contains(next)) {
                    break;
                }
            }
        } finally {
            model.train(wasTraining);
        }
        return Arrays.copyOfRange(seq, prompt.length, n);
    }

    /** Logits (V) after seq[0, n): with a cache, only the tokens it has not seen yet are run. */
    private float[] nextLogits(int[] seq, int n, @Nullable KvCache cache) {
        if (cache != null && model.cacheGoesStale(cache.length(), n)) {
            cache.reset();                        // the whole sequence again, as Hugging Face's Phi-3 does
        }
        int from = cache == null ? 0 : cache.length();
        try (Tensor ids = Tensor.ofInts(Arrays.copyOfRange(seq, from, n), 1, n - from);
             Tensor logits = model.forwardLast(ids, null, null, cache)) {      // (1, V)
            return logits.toFloatArray();
        }
    }
}
