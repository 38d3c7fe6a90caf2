package org.wegeft.cli.llmdemo;

import java.util.ArrayList;
import java.util.List;
import org.wegeft.llm.GenerationConfig;
import org.wegeft.llm.Generator;
import org.wegeft.llm.CausalLM;
import org.wegeft.llm.chat.ChatMessage;
import org.wegeft.llm.data.ExampleEncoder;
import org.wegeft.llm.eval.ExactMatch;
import org.wegeft.llm.tokenizer.Tokenizer;

/**
 * Exact match of greedy answers: each test question's prompt (the encoder's template, with BOS) is continued
 * greedily with the KV cache for at most {@link #MAX_NEW_TOKENS} tokens, stopping at EOS or at a token that holds
 * a newline; the answer is the decoded text up to the first newline, trimmed, compared with {@link ExactMatch}.
 */
final class AnswerScorer {
    static final int MAX_NEW_TOKENS = 6;

    /** Exact match and every prediction, in test order. */
    record Score(double exactMatch, List<String> predictions) {
    }

    private final Tokenizer tok;
    private final List<int[]> prompts = new ArrayList<>();
    private final List<String> references = new ArrayList<>();
    private final GenerationConfig gen;

    AnswerScorer(Tokenizer tok, ExampleEncoder enc, List<ArithmeticTask.Problem> test) {
        this.tok = tok;
        for (ArithmeticTask.Problem p : test) {
            prompts.add(enc.promptIds(List.of(new ChatMessage("user", p.question()))));
            references.add(p.answer());
        }
        this.gen = GenerationConfig.greedy(MAX_NEW_TOKENS, stopIds(tok));
    }

    /** EOS ids, plus every token whose text holds a newline. */
    static List<Integer> stopIds(Tokenizer tok) {
        List<Integer> ids = new ArrayList<>();
        for (int id : tok.specialTokens().eosIds()) {
            ids.add(id);
        }
        for (int id = 0; id < tok.vocabSize(); id++) {
            if (!tok.specialTokens().isSpecial(id) && tok.decode(new int[] {id}, false).contains("\n")
                    && !ids.contains(id)) {
                ids.add(id);
            }
        }
        return ids;
    }

    Score score(CausalLM lm) {
        Generator g = new Generator(lm);
        List<String> predictions = new ArrayList<>(prompts.size());
        for (int[] prompt : prompts) {
            int[] ids = g.generate(prompt, gen, null);
            predictions.add(ArithmeticTask.answerOf(tok.decode(ids, true)));
        }
        return new Score(ExactMatch.score(predictions, references), List.copyOf(predictions));
    }

    List<String> references() {
        return references;
    }
}
