package org.wegeft.llm.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.wegeft.llm.data.Example;
import org.wegeft.llm.tokenizer.Tokenizer;

/**
 * Multiple-choice accuracy by log-likelihood: each option's score is the summed log-probability of its tokens
 * given the prompt (optionally divided by its token count); the highest score is the model's choice.
 */
public final class MultipleChoice {
    /** A question: prompt ids, each option's ids (continuations of the prompt), and the correct option. */
    public record Question(int[] prompt, List<int[]> options, int answer) {
        public Question {
            if (prompt.length == 0 || options.size() < 2 || answer < 0 || answer >= options.size()) {
                throw new IllegalArgumentException("a question needs a prompt, ≥ 2 options and an answer index among"
                        + " them; got " + options.size() + " options, answer " + answer);
            }
            for (int[] o : options) {
                if (o.length == 0) {
                    throw new IllegalArgumentException("an option has no tokens");
                }
            }
            prompt = prompt.clone();
            options = options.stream().map(int[]::clone).toList();
        }

        /** Tokenizes a text question: the prompt with special tokens, each option without (mind leading spaces). */
        public static Question of(Tokenizer tok, String prompt, List<String> options, int answer) {
            return new Question(tok.encode(prompt, true), options.stream().map(o -> tok.encode(o, false)).toList(),
                    answer);
        }
    }

    /** Accuracy, and each question's chosen option and option scores. */
    public record Result(double accuracy, int correct, int total, int[] choices, List<double[]> scores) {
    }

    private MultipleChoice() {
    }

    public static Result evaluate(CausalLm lm, List<Question> questions, boolean lengthNormalized, int batchSize,
                                  int padId) {
        List<Example> examples = new ArrayList<>();
        for (Question q : questions) {
            for (int[] o : q.options()) {
                int[] ids = Arrays.copyOf(q.prompt(), q.prompt().length + o.length);
                System.arraycopy(o, 0, ids, q.prompt().length, o.length);
                int[] labels = ids.clone();
                Arrays.fill(labels, 0, q.prompt().length, Example.IGNORE);
                examples.add(new Example(ids, labels));
            }
        }
        LogLikelihood.Score[] s = LogLikelihood.score(lm, examples, batchSize, padId);
        int k = 0;
        int correct = 0;
        int[] choices = new int[questions.size()];
        List<double[]> scores = new ArrayList<>();
        for (int qi = 0; qi < questions.size(); qi++) {
            Question q = questions.get(qi);
            double[] sc = new double[q.options().size()];
            int best = 0;
            for (int o = 0; o < sc.length; o++, k++) {
                sc[o] = lengthNormalized ? s[k].logProb() / s[k].tokens() : s[k].logProb();
                if (sc[o] > sc[best]) {
                    best = o;
                }
            }
            choices[qi] = best;
            scores.add(sc);
            if (best == q.answer()) {
                correct++;
            }
        }
        int n = questions.size();
        return new Result(n == 0 ? 0 : correct / (double) n, correct, n, choices, scores);
    }
}
