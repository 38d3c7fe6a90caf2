package org.wegeft.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.wegeft.llm.testing.CacheEquivalence;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;

/** Generation with the KV cache equals full recomputation, and the sampling rules. */
class GenerationTest {
    static CausalLM model;
    static final int[] PROMPT = {5, 17, 99, 3, 42};

    @BeforeAll
    static void build() {
        DecoderConfig c = new DecoderConfig("llama", 128, 32, 64, 2, 4, 2, 8, 256, 1e-5, 500000.0, null, false, false,
                false, "silu", List.of(1), List.of(2), null, "float32", 0.3);
        model = new CausalLM(c, 11);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void greedyWithCacheGivesExactlyTheTokensOfGreedyWithout() {
        CacheEquivalence.assertGreedyGenerationEqual(model, PROMPT, 64);
    }

    @Test
    void incrementalLogitsWithCacheEqualFullForward() {
        int[] ids = new SplittableRandom(3).ints(24, 0, 128).toArray();
        // prefill 10 tokens, then 2, then one at a time
        int[] cuts = {0, 10, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24};
        CacheEquivalence.assertChunkedLogitsEqualFullForward(model, ids, cuts, 1e-5);
    }

    @Test
    void streamingCallbackSeesEveryTokenAndEosStops() {
        int[] free = new Generator(model).generate(PROMPT, GenerationConfig.greedy(20, List.of()), null);
        int eos = free[6];
        int stopAt = 0;
        while (free[stopAt] != eos) {
            stopAt++;
        }
        List<Integer> seen = new ArrayList<>();
        int[] out = new Generator(model).generate(PROMPT, GenerationConfig.greedy(20, List.of(eos)), seen::add);
        assertArrayEquals(java.util.Arrays.copyOf(free, stopAt + 1), out);
        assertEquals(seen, java.util.Arrays.stream(out).boxed().toList());
    }

    @Test
    void seededSamplingIsReproducibleAndTopKOneIsGreedy() {
        GenerationConfig s = GenerationConfig.sampling(16, 1.0, 0, 1.0, 42, List.of());
        int[] a = new Generator(model).generate(PROMPT, s, null);
        int[] b = new Generator(model).generate(PROMPT, s, null);
        assertArrayEquals(a, b);
        int[] greedy = new Generator(model).generate(PROMPT, GenerationConfig.greedy(16, List.of()), null);
        int[] topK1 = new Generator(model).generate(PROMPT, GenerationConfig.sampling(16, 0.7, 1, 1.0, 5, List.of()),
                null);
        int[] tinyP = new Generator(model).generate(PROMPT, GenerationConfig.sampling(16, 0.7, 0, 1e-6, 5, List.of()),
                null);
        assertArrayEquals(greedy, topK1);
        assertArrayEquals(greedy, tinyP);
    }

    @Test
    void samplerDrawsOnlyFromTopKAndTopPAndFollowsProbabilities() {
        float[] logits = {0f, 2f, 1f, 3f, -1f};      // order: 3, 1, 2, 0, 4
        SplittableRandom rng = new SplittableRandom(1);
        int[] counts = new int[5];
        GenerationConfig k2 = GenerationConfig.sampling(1, 1.0, 2, 1.0, 0, List.of());
        for (int i = 0; i < 4000; i++) {
            counts[Sampler.pick(logits, k2, rng)]++;
        }
        assertEquals(0, counts[0] + counts[2] + counts[4]);
        double expected = Math.exp(3) / (Math.exp(3) + Math.exp(2));   // P(3 | top-2)
        assertEquals(expected, counts[3] / 4000.0, 0.03);
        // top-p 0.8: p(3) = 0.64, p(1) = 0.24 → {3, 1} reaches 0.8
        GenerationConfig p8 = GenerationConfig.sampling(1, 1.0, 0, 0.8, 0, List.of());
        int[] c2 = new int[5];
        for (int i = 0; i < 4000; i++) {
            c2[Sampler.pick(logits, p8, rng)]++;
        }
        assertEquals(0, c2[0] + c2[2] + c2[4]);
        assertTrue(c2[1] > 0 && c2[3] > 0);
    }

    @Test
    void fullCacheAndBadPromptsAreReported() {
        try (KvCache cache = model.newCache(1, 4); Grad.Mode off = Grad.disabled();
             Tensor ids = Tensor.ofInts(new int[] {1, 2, 3, 4, 5}, 1, 5)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> model.forward(ids, null, null, cache));
            assertTrue(e.getMessage().contains("capacity 4"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class,
                () -> new Generator(model).generate(new int[] {500}, GenerationConfig.greedy(2, List.of()), null));
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.sampling(4, 1.0, 0, 0.0, 1, List.of()));
    }
}
