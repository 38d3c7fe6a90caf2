package org.wegeft.llm;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.wegeft.llm.testing.CacheEquivalence;

/**
 * Gemma models with a sliding window of 8 generate with the KV cache exactly what they generate without it, far past
 * the window, and cached incremental logits equal the full forward's.
 */
class GemmaGenerationTest {
    private static final int[] PROMPT = {5, 17, 99, 3, 42};

    @ParameterizedTest
    @ValueSource(strings = {"gemma2_tiny", "gemma3_tiny"})
    void greedyWithCacheGivesExactlyTheTokensOfGreedyWithout(String name) {
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path(name))) {
            CacheEquivalence.assertGreedyGenerationEqual(model, PROMPT, 64);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gemma2_tiny", "gemma3_tiny"})
    void incrementalLogitsWithCacheEqualFullForwardPastTheWindow(String name) {
        int[] ids = new SplittableRandom(3).ints(30, 0, 128).toArray();
        // prefill 6 tokens (inside the window), then 7 (crossing it), then one at a time
        int[] cuts = {0, 6, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30};
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path(name))) {
            CacheEquivalence.assertChunkedLogitsEqualFullForward(model, ids, cuts, 1e-5);
        }
    }
}
