package org.wegeft.llm;

import java.util.List;

/**
 * How {@link Generator} picks tokens, Hugging Face {@code generate} semantics: greedy when {@code temperature}
 * is 0, else sampling from softmax(logits / temperature) restricted to the {@code topK} most likely tokens
 * (0 = all) and then to the smallest set whose probability reaches {@code topP} (1 = all), in that order.
 *
 * @param maxNewTokens  the most tokens to generate
 * @param temperature   0 for greedy, else > 0
 * @param topK          keep the k most likely tokens (0 = off)
 * @param topP          nucleus threshold in (0, 1] (1 = off)
 * @param seed          seed of the sampling generator (same seed, same tokens)
 * @param eosTokenIds   generation stops after any of these (empty = never stops early)
 * @param useCache      reuse keys/values across steps (false recomputes the whole sequence every step)
 */
public record GenerationConfig(int maxNewTokens, double temperature, int topK, double topP, long seed,
        List<Integer> eosTokenIds, boolean useCache) {

    public GenerationConfig {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("max_new_tokens must be >= 0, got " + maxNewTokens);
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0 (0 = greedy), got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be >= 0 (0 = off), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    /** Greedy decoding with the KV cache, stopping at {@code eos}. */
    public static GenerationConfig greedy(int maxNewTokens, List<Integer> eos) {
        return new GenerationConfig(maxNewTokens, 0, 0, 1, 0, eos, true);
    }

    /** Sampling with the KV cache, stopping at {@code eos}. */
    public static GenerationConfig sampling(int maxNewTokens, double temperature, int topK, double topP, long seed,
            List<Integer> eos) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, seed, eos, true);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }

    public GenerationConfig withUseCache(boolean on) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, seed, eosTokenIds, on);
    }

    public GenerationConfig withEosTokenIds(List<Integer> eos) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, seed, eos, useCache);
    }
}
