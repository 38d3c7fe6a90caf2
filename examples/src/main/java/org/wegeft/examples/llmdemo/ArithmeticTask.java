package org.wegeft.examples.llmdemo;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The demo's generated instruction task: one-step arithmetic word problems with an exact answer, e.g.
 * "Tom has 3 apples and buys 4 more. How many apples does he have?" → "7". Operands are 0–9 (sums up to 18,
 * differences never negative), over a few addition and subtraction templates, names and objects. Everything is
 * drawn from one seeded generator, so the same seed gives the same records; the train and test sets are
 * disjoint as problems (no test question appears in training), though the same number pairs do.
 */
public final class ArithmeticTask {
    /** One problem: the question and its answer (digits only). */
    public record Problem(String question, String answer) {
    }

    /** A train/test split. */
    public record Split(List<Problem> train, List<Problem> test) {
    }

    static final List<String> NAMES = List.of("Tom", "Anna", "Ben", "Mary", "Sam", "Lucy", "Jack", "Ruth");
    static final List<String> OBJECTS = List.of("apples", "coins", "sheep", "loaves", "stones", "books");

    private ArithmeticTask() {
    }

    /**
     * {@code trainSize} training and {@code testSize} test problems, all distinct.
     * @throws IllegalArgumentException for negative sizes or more problems than the templates can make
     */
    public static Split generate(int trainSize, int testSize, long seed) {
        int possible = NAMES.size() * OBJECTS.size() * 10 * 10 * 4;
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
        int a = rng.nextInt(10);
        int b = rng.nextInt(10);
        return switch (rng.nextInt(4)) {
            case 0 -> new Problem(name + " has " + a + " " + object + " and buys " + b + " more. How many "
                    + object + " does " + pronoun + " have?", Integer.toString(a + b));
            case 1 -> new Problem(name + " finds " + a + " " + object + ", then " + b + " more. How many "
                    + object + " in all?", Integer.toString(a + b));
            case 2 -> {
                int hi = Math.max(a, b);
                int lo = Math.min(a, b);
                yield new Problem(name + " has " + hi + " " + object + " and gives away " + lo + ". How many "
                        + object + " are left?", Integer.toString(hi - lo));
            }
            default -> {
                int hi = Math.max(a, b);
                int lo = Math.min(a, b);
                yield new Problem(name + " had " + hi + " " + object + " and lost " + lo + ". How many "
                        + object + " does " + pronoun + " have now?", Integer.toString(hi - lo));
            }
        };
    }

    /** The answer part of a generated text: up to the first newline or end, trimmed. */
    public static String answerOf(String generated) {
        int nl = generated.indexOf('\n');
        return (nl >= 0 ? generated.substring(0, nl) : generated).strip();
    }
}
