package org.wegeft.cli.llmdemo;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The demo's generated instruction task: one-step arithmetic word problems with an exact answer, e.g.
 * "Tom has three apples and buys four more. How many apples does he have?" → "seven". Numbers are English words
 * (the pretraining corpus, the KJV, spells numbers out and holds no digits, so digit tokens were never trained):
 * operands 1–{@value #MAX_OPERAND}, sums up to twelve, differences at least one; over a few addition and subtraction templates, names and objects. Everything is
 * drawn from one seeded generator, so the same seed gives the same records; the train and test sets are
 * disjoint as problems (no test question appears in training), though the same number pairs do.
 */
public final class ArithmeticTask {
    /** One problem: the question and its answer (one number word). */
    public record Problem(String question, String answer) {
    }

    /** A train/test split. */
    public record Split(List<Problem> train, List<Problem> test) {
    }

    static final List<String> NAMES = List.of("Tom", "Anna", "Ben", "Mary", "Sam", "Lucy", "Jack", "Ruth");
    static final List<String> OBJECTS = List.of("apples", "coins", "sheep", "loaves", "stones", "books");

    /** The largest operand: small enough that a 2.4M-parameter model can learn the table in a few minutes. */
    public static final int MAX_OPERAND = 6;

    static final List<String> WORDS = List.of("one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
            "ten", "eleven", "twelve");

    private ArithmeticTask() {
    }

    /**
     * {@code trainSize} training and {@code testSize} test problems, all distinct.
     * @throws IllegalArgumentException for negative sizes or more problems than the templates can make
     */
    public static Split generate(int trainSize, int testSize, long seed) {
        int possible = NAMES.size() * OBJECTS.size() * MAX_OPERAND * MAX_OPERAND * 4;
        if (trainSize < 0 || testSize < 0 || trainSize + testSize > possible / 2) {
            throw new IllegalArgumentException("train and test sizes must be ≥ 0 and at most " + possible / 2
                    + " together, got " + trainSize + " and " + testSize);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        Set<String> seen = new HashSet<>();
        List<Problem> all = new ArrayList<>(trainSize + testSize);
        while (all.size() < trainSize + testSize) {
            Problem p = draw(rng);
            if (seen.add(p.question())) {
                all.add(p);
            }
        }
        return new Split(List.copyOf(all.subList(0, trainSize)), List.copyOf(all.subList(trainSize, all.size())));
    }

    static Problem draw(SplittableRandom rng) {
        String name = NAMES.get(rng.nextInt(NAMES.size()));
        String object = OBJECTS.get(rng.nextInt(OBJECTS.size()));
        String pronoun = List.of("Anna", "Mary", "Lucy", "Ruth").contains(name) ? "she" : "he";
        int a = 1 + rng.nextInt(MAX_OPERAND);
        int b = 1 + rng.nextInt(MAX_OPERAND);
        int sum = a + b;
        return switch (rng.nextInt(4)) {
            case 0 -> new Problem(name + " has " + word(a) + " " + object + " and buys " + word(b) + " more. How many "
                    + object + " does " + pronoun + " have?", word(sum));
            case 1 -> new Problem(name + " finds " + word(a) + " " + object + ", then " + word(b) + " more. How many "
                    + object + " in all?", word(sum));
            case 2 -> new Problem(name + " has " + word(sum) + " " + object + " and gives away " + word(a)
                    + ". How many " + object + " are left?", word(b));
            default -> new Problem(name + " had " + word(sum) + " " + object + " and lost " + word(a) + ". How many "
                    + object + " does " + pronoun + " have now?", word(b));
        };
    }

    /** The English word of 1 ≤ n ≤ 12 (the KJV corpus spells numbers out; it holds no digits). */
    public static String word(int n) {
        return WORDS.get(n - 1);
    }

    /** The number a word of {@link #word} stands for, or -1. */
    public static int value(String word) {
        return WORDS.indexOf(word) + 1 > 0 ? WORDS.indexOf(word) + 1 : -1;
    }

    /** The answer part of a generated text: up to the first newline or end, trimmed. */
    public static String answerOf(String generated) {
        int nl = generated.indexOf('\n');
        return (nl >= 0 ? generated.substring(0, nl) : generated).strip();
    }
}
