package org.wegeft.llm;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.wegeft.llm.testing.CacheEquivalence;
import org.wegeft.tensor.Tensor;

/**
 * Generation and chunked prefill with the KV cache equal full recomputation for each family's tiny checkpoint,
 * past the sliding window (8) where there is one.
 */
class KvCacheEquivalenceTest {
    static final int[] PROMPT = {5, 17, 60, 3, 42, 11};

    @ParameterizedTest
    @ValueSource(strings = {"llama_untied", "mistral_window", "qwen2_window", "qwen3_tied", "qwen3_untied"})
    void greedyWithCacheEqualsWithout(String name) {
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path(name))) {
            CacheEquivalence.assertGreedyGenerationEqual(model, PROMPT, 64);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mistral_window", "qwen2_window", "qwen3_untied"})
    void chunkedPrefillAcrossTheWindowEqualsFullForward(String name) {
        int[] ids = new SplittableRandom(7).ints(30, 0, 96).toArray();
        // a prefill inside the window, a chunk longer than the window, chunks straddling it, then single tokens
        int[] cuts = {0, 3, 14, 17, 23, 24, 25, 26, 27, 28, 29, 30};
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path(name))) {
            double err = CacheEquivalence.assertChunkedLogitsEqualFullForward(model, ids, cuts, 1e-5);
            System.out.printf("cache %-14s chunked prefill max rel error %.3g%n", name, err);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mistral_window", "qwen2_window", "qwen3_untied"})
    void leftPaddedBatchThroughTheCacheEqualsFullForward(String name) {
        Map<String, Tensor> io = LlmFixtures.tensors(name + "/io.safetensors");
        int[] cuts = {0, 4, 15, 18, 19, 20, 21, 22, 23, 24};     // row 0's padding ends inside the first chunks
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path(name))) {
            double err = CacheEquivalence.assertChunkedPaddedLogitsEqualFullForward(model, io.get("pad_ids"),
                    io.get("pad_mask"), io.get("pad_positions"), cuts, 1e-5);
            System.out.printf("cache %-14s padded chunks max rel error %.3g%n", name, err);
        } finally {
            io.values().forEach(Tensor::close);
        }
    }
}
