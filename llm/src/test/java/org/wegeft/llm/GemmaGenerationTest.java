package org.wegeft.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.testing.TensorFixtures;

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
            int window = model.config().slidingWindow();
            GenerationConfig g = GenerationConfig.greedy(64, List.of());
            int[] cached = new Generator(model).generate(PROMPT, g, null);
            int[] full = new Generator(model).generate(PROMPT, g.withUseCache(false), null);
            assertEquals(64, cached.length);
            assertTrue(PROMPT.length + cached.length > 8 * window, "generation runs far past the window");
            assertArrayEquals(full, cached);
            assertTrue(java.util.Arrays.stream(cached).distinct().count() > 3, "degenerate generation");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gemma2_tiny", "gemma3_tiny"})
    void incrementalLogitsWithCacheEqualFullForwardPastTheWindow(String name) {
        int[] ids = new SplittableRandom(3).ints(30, 0, 128).toArray();
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path(name)); Grad.Mode off = Grad.disabled();
             Tensor all = Tensor.ofInts(ids, 1, ids.length); Tensor full = model.forward(all);
             KvCache cache = model.newCache(1, 40)) {
            // prefill 6 tokens (inside the window), then 7 (crossing it), then one at a time
            int[] cuts = {0, 6, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30};
            for (int i = 0; i + 1 < cuts.length; i++) {
                int a = cuts[i];
                int b = cuts[i + 1];
                try (Tensor step = all.narrow(1, a, b - a); Tensor logits = model.forward(step, null, null, cache);
                     Tensor ref = full.narrow(1, a, b - a)) {
                    double err = TensorFixtures.maxRelError(logits, ref);
                    assertTrue(err < 1e-5, name + " tokens " + a + ".." + b + ": " + err);
                }
            }
            assertEquals(30, cache.length());
        }
    }
}
