package org.wegeft.llm.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.wegeft.llm.data.Example;
import org.wegeft.tensor.Tensor;

/** Evaluators against a bigram model whose next-token probabilities are known exactly. */
class EvalTest {
    static final int V = 4;
    // P(next | current): row = current token
    static final double[][] P = {
        {0.1, 0.2, 0.3, 0.4},
        {0.7, 0.1, 0.1, 0.1},
        {0.25, 0.25, 0.25, 0.25},
        {0.05, 0.05, 0.5, 0.4},
    };

    /** logits = log P(· | id) + a per-row offset (softmax ignores it); padding positions get garbage. */
    static final CausalLm BIGRAM = (ids, mask) -> {
        int[] x = ids.toIntArray();
        int[] m = mask.toIntArray();
        float[] out = new float[x.length * V];
        for (int i = 0; i < x.length; i++) {
            for (int k = 0; k < V; k++) {
                out[i * V + k] = m[i] == 0 ? 1e3f * k : (float) (Math.log(P[x[i]][k]) + 3.0 * i);
            }
        }
        return Tensor.of(out, ids.size(0), ids.size(1), V);
    };

    static double logp(int cur, int next) {
        return Math.log(P[cur][next]);
    }

    @ParameterizedTest(name = "batch {0}")
    @ValueSource(ints = {1, 2, 3})
    void perplexityIsTheTokenWeightedMeanNll(int batch) {
        List<Example> ex = List.of(Example.of(new int[] {0, 3, 2, 1}), Example.of(new int[] {1, 0}),
                new Example(new int[] {2, 2, 3}, new int[] {-100, -100, 3}));
        double expected = -(logp(0, 3) + logp(3, 2) + logp(2, 1) + logp(1, 0) + logp(2, 3)) / 5;
        PerplexityResult r = Perplexity.evaluate(BIGRAM, ex, batch, 0);
        assertEquals(5, r.tokens());
        assertEquals(3, r.examples());
        assertEquals(expected, r.nll(), 1e-6);
        assertEquals(Math.exp(expected), r.ppl(), 1e-5);
    }

    @Test
    void perplexityWithoutTargetsIsAnError() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Perplexity.evaluate(BIGRAM, List.of(Example.of(new int[] {1})), 1, 0));
        assertTrue(e.getMessage().contains("no token"), e.getMessage());
    }

    @Test
    void labelsOutsideTheVocabularyAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> Perplexity.evaluate(BIGRAM, List.of(new Example(new int[] {1, 2}, new int[] {1, 7})), 1, 0));
    }

    @Test
    void multipleChoicePicksTheMostLikelyOption() {
        // after prompt [1]: option [0] has log 0.7; option [2, 2] has log 0.1 + log 0.25
        var q1 = new MultipleChoice.Question(new int[] {1}, List.of(new int[] {2, 2}, new int[] {0}), 1);
        var q2 = new MultipleChoice.Question(new int[] {3}, List.of(new int[] {0}, new int[] {1}, new int[] {2}), 0);
        MultipleChoice.Result r = MultipleChoice.evaluate(BIGRAM, List.of(q1, q2), false, 2, 0);
        assertArrayEquals(new int[] {1, 2}, r.choices());
        assertEquals(1, r.correct());
        assertEquals(0.5, r.accuracy());
        assertEquals(logp(1, 2) + logp(2, 2), r.scores().get(0)[0], 1e-6);
    }

    @Test
    void lengthNormalisationCanChangeTheChoice() {
        // after [0]: [3, 2, 2]: (log .4 + log .5 + log .25)/3 ≈ -1.00 per token, sum -2.30; [1]: log .2 = -1.61
        var q = new MultipleChoice.Question(new int[] {0}, List.of(new int[] {3, 2, 2}, new int[] {1}), 0);
        assertEquals(1, MultipleChoice.evaluate(BIGRAM, List.of(q), false, 4, 0).choices()[0]);
        assertEquals(0, MultipleChoice.evaluate(BIGRAM, List.of(q), true, 4, 0).choices()[0]);
    }

    @Test
    void exactMatchNormalisesCaseAndWhitespace() {
        assertTrue(ExactMatch.matches("  The answer\tis\n 42 ", "the ANSWER is 42"));
        assertFalse(ExactMatch.matches("42.", "42"));
        assertEquals(2 / 3.0, ExactMatch.score(List.of("a", "B ", "c"), List.of("A", "b", "d")), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> ExactMatch.score(List.of("a"), List.of()));
    }
}
