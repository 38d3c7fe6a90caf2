package org.wegeft.llm.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.wegeft.llm.CausalLM;
import org.wegeft.llm.GenerationConfig;
import org.wegeft.llm.Generator;
import org.wegeft.llm.KvCache;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.testing.TensorFixtures;

/**
 * The KV cache changes nothing: what a model computes with it equals what it computes by running the whole
 * sequence again. For any family's test; a model with a sliding window is driven past its window, where the
 * cached path drops keys the full path masks.
 */
public final class CacheEquivalence {
    private CacheEquivalence() {
    }

    /**
     * Greedy generation of {@code newTokens} after {@code prompt} with the KV cache gives exactly the tokens of
     * generation without it.
     * @return the generated tokens
     */
    public static int[] assertGreedyGenerationEqual(CausalLM model, int[] prompt, int newTokens) {
        Integer window = model.config().slidingWindow();
        if (window != null) {
            assertTrue(prompt.length + newTokens > window, "generation of " + newTokens + " after " + prompt.length
                    + " tokens never leaves the window of " + window);
        }
        GenerationConfig g = GenerationConfig.greedy(newTokens, List.of());
        int[] cached = new Generator(model).generate(prompt, g, null);
        int[] full = new Generator(model).generate(prompt, g.withUseCache(false), null);
        assertEquals(newTokens, cached.length);
        assertArrayEquals(full, cached, "greedy tokens with and without the KV cache");
        // a generation stuck on one token would compare little past the window
        assertTrue(Arrays.stream(cached, newTokens / 2, newTokens).distinct().count() > 3,
                "degenerate generation " + Arrays.toString(cached));
        return cached;
    }

    /**
     * Runs {@code ids} through the cache in chunks [cuts[i], cuts[i + 1]) (a prefill, then pieces of any size)
     * and compares each chunk's logits with the same rows of one full forward.
     * @param cuts ascending chunk bounds from 0 to ids.length
     * @return the largest relative error of a chunk (each is at most {@code tol})
     */
    public static double assertChunkedLogitsEqualFullForward(CausalLM model, int[] ids, int[] cuts, double tol) {
        assertEquals(0, cuts[0]);
        assertEquals(ids.length, cuts[cuts.length - 1]);
        double worst = 0;
        try (Grad.Mode off = Grad.disabled(); Tensor all = Tensor.ofInts(ids, 1, ids.length);
             Tensor full = model.forward(all); KvCache cache = model.newCache(1, ids.length)) {
            for (int i = 0; i + 1 < cuts.length; i++) {
                int a = cuts[i];
                int b = cuts[i + 1];
                try (Tensor step = all.narrow(1, a, b - a); Tensor logits = model.forward(step, null, null, cache);
                     Tensor ref = full.narrow(1, a, b - a)) {
                    double err = TensorFixtures.maxRelError(logits, ref);
                    assertTrue(err <= tol, "tokens " + a + ".." + b + ": max relative error " + err);
                    worst = Math.max(worst, err);
                }
            }
            assertEquals(ids.length, cache.length());
        }
        return worst;
    }
}
