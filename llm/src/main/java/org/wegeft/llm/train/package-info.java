/**
 * Training causal language models: the loss, batch collation and the paper's defaults
 * ({@link org.wegeft.llm.train.CausalLmTraining}), shared by every command, demo and benchmark that trains one.
 */
@NullMarked
package org.wegeft.llm.train;

import org.jspecify.annotations.NullMarked;
