package org.wegeft.llm.eval;

import java.util.List;
import org.wegeft.llm.data.Example;

/**
 * Perplexity over examples: the token-weighted mean NLL over every predicted token of every example (labels
 * shifted by one as Hugging Face does; −100 skipped), so batch size and padding do not change the result.
 */
public final class Perplexity {
    private Perplexity() {
    }

    /**
     * @throws IllegalArgumentException when no example has a token to predict
     */
    public static PerplexityResult evaluate(CausalLm lm, List<Example> examples, int batchSize, int padId) {
        double nll = 0;
        long tokens = 0;
        for (LogLikelihood.Score s : LogLikelihood.score(lm, examples, batchSize, padId)) {
            nll -= s.logProb();
            tokens += s.tokens();
        }
        if (tokens == 0) {
            throw new IllegalArgumentException("no token to predict in " + examples.size() + " examples");
        }
        double mean = nll / tokens;
        return new PerplexityResult(mean, Math.exp(mean), tokens, examples.size());
    }
}
