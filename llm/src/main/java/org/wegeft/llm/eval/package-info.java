/**
 * Evaluation of causal language models: perplexity over a data file, multiple-choice accuracy by log-likelihood,
 * exact match of generated answers. Models are seen through {@link org.wegeft.llm.eval.CausalLm}.
 */
@NullMarked
package org.wegeft.llm.eval;

import org.jspecify.annotations.NullMarked;
