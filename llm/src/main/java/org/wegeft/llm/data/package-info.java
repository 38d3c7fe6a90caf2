/**
 * Language-model data: JSONL and Arrow records ({@code text}, {@code input_ids}, or Alpaca
 * {@code instruction}/{@code input}/{@code output}), prompt templates, tokenization with the prompt masked out of
 * the loss, truncation, padding with attention masks, packing, and batches of {@code (B, T)} I32 tensors.
 */
@NullMarked
package org.wegeft.llm.data;

import org.jspecify.annotations.NullMarked;
