package org.wegeft.cli.llmdemo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.wegeft.llm.eval.ExactMatch;

class ArithmeticTaskTest {
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {0, 1, 42})
    void sameSeedGivesSameProblems(long seed) {
        assertEquals(ArithmeticTask.generate(300, 50, seed), ArithmeticTask.generate(300, 50, seed));
    }

    @Test
    void differentSeedsGiveDifferentProblems() {
        assertNotEquals(ArithmeticTask.generate(100, 10, 0).train(), ArithmeticTask.generate(100, 10, 1).train());
    }

    @Test
    void trainAndTestAreDisjointAndSized() {
        ArithmeticTask.Split s = ArithmeticTask.generate(1500, 200, 0);
        assertEquals(1500, s.train().size());
        assertEquals(200, s.test().size());
        Set<String> train = new HashSet<>();
        s.train().forEach(p -> train.add(p.question()));
        assertEquals(1500, train.size(), "training questions are distinct");
        for (ArithmeticTask.Problem p : s.test()) {
            assertFalse(train.contains(p.question()), "test question also in training: " + p.question());
        }
    }

    /** Every answer is the sum, or the difference, of the two number words in its question. */
    @Test
    void answersAreExact() {
        for (ArithmeticTask.Problem p : ArithmeticTask.generate(1000, 0, 3).train()) {
            List<Integer> nums = new java.util.ArrayList<>();
            for (String w : p.question().replaceAll("[.,?]", "").split(" ")) {
                if (ArithmeticTask.value(w) > 0) {
                    nums.add(ArithmeticTask.value(w));
                }
            }
            assertEquals(2, nums.size(), p.question());
            boolean adds = p.question().contains("more");
            int expected = adds ? nums.get(0) + nums.get(1) : nums.get(0) - nums.get(1);
            assertTrue(expected >= 1 && expected <= 12, p.question());
            assertEquals(ArithmeticTask.word(expected), p.answer(), p.question());
        }
    }

    @Test
    void everyTemplateOccurs() {
        List<ArithmeticTask.Problem> ps = ArithmeticTask.generate(400, 0, 5).train();
        for (String marker : List.of("buys", "finds", "gives away", "lost")) {
            assertTrue(ps.stream().anyMatch(p -> p.question().contains(marker)), marker);
        }
    }

    @ParameterizedTest(name = "train {0}, test {1}")
    @CsvSource({"-1, 10", "10, -1", "5000, 5000"})
    void impossibleSizesAreRejected(int train, int test) {
        assertThrows(IllegalArgumentException.class, () -> ArithmeticTask.generate(train, test, 0));
    }

    @ParameterizedTest(name = "\"{0}\" vs {1} → {2}")
    @CsvSource(delimiter = '|', value = {
            "seven|seven|true", "' Seven '|seven|true", "'seven\\nTom has'|seven|true", "seventeen|seven|false",
            "'seven apples'|seven|false", "''|one|false"})
    void exactMatchScoresTheFirstLineOnly(String generated, String reference, boolean hit) {
        String g = generated.replace("\\n", "\n");
        assertEquals(hit, ExactMatch.matches(ArithmeticTask.answerOf(g), reference));
    }
}
