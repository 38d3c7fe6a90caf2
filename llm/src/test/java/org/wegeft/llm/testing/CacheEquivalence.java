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

    /**
     * The same for a padded batch: ids, mask (1 = token, 0 = padding) and positions (B, T) run through the cache in
     * chunks, each chunk with the mask of every token so far, compared with one full forward at the real tokens
     * (a padding query sees no key, and what it averages is of no use).
     * @return the largest relative error over the real tokens of a chunk (each is at most {@code tol})
     */
    public static double assertChunkedPaddedLogitsEqualFullForward(CausalLM model, Tensor ids, Tensor mask,
            Tensor positions, int[] cuts, double tol) {
        int b = Math.toIntExact(ids.size(0));
        int t = Math.toIntExact(ids.size(1));
        assertEquals(0, cuts[0]);
        assertEquals(t, cuts[cuts.length - 1]);
        int[] tokens = ids.toIntArray();
        int[] real = mask.toIntArray();
        int[] where = positions.toIntArray();
        double worst = 0;
        try (Grad.Mode off = Grad.disabled(); Tensor full = model.forward(ids, mask, positions, null);
             KvCache cache = model.newCache(b, t)) {
            long v = full.size(2);
            float[] want = full.toFloatArray();
            for (int i = 0; i + 1 < cuts.length; i++) {
                int from = cuts[i];
                int to = cuts[i + 1];
                float[] got;
                try (Tensor step = columns(tokens, b, t, from, to); Tensor seen = columns(real, b, t, 0, to);
                     Tensor pos = columns(where, b, t, from, to);
                     Tensor logits = model.forward(step, seen, pos, cache)) {
                    got = logits.toFloatArray();
                }
                double maxDiff = 0;
                double maxRef = 0;
                for (int r = 0; r < b; r++) {
                    for (int j = from; j < to; j++) {
                        if (real[r * t + j] == 0) {
                            continue;
                        }
                        for (int k = 0; k < v; k++) {
                            float ref = want[(int) ((r * t + j) * v + k)];
                            float ours = got[(int) ((r * (to - from) + j - from) * v + k)];
                            maxDiff = Math.max(maxDiff, Math.abs(ours - ref));
                            maxRef = Math.max(maxRef, Math.abs(ref));
                        }
                    }
                }
                double err = maxDiff / Math.max(maxRef, 1e-30);
                assertTrue(err <= tol, "tokens " + from + ".." + to + ": max relative error " + err);
                worst = Math.max(worst, err);
            }
        }
        return worst;
    }

    // columns [from, to) of a (B, T) int matrix, as a (B, to − from) I32 tensor
    private static Tensor columns(int[] m, int b, int t, int from, int to) {
        int[] out = new int[b * (to - from)];
        for (int r = 0; r < b; r++) {
            System.arraycopy(m, r * t + from, out, r * (to - from), to - from);
        }
        return Tensor.ofInts(out, b, to - from);
    }
}
