package org.wegeft.llm.eval;

/**
 * @param nll mean negative log-likelihood per predicted token (nats)
 * @param ppl {@code exp(nll)}
 * @param tokens predicted tokens
 * @param examples examples scored
 */
public record PerplexityResult(double nll, double ppl, long tokens, int examples) {
}
