/**
 * Tokenizers behind one small interface: {@link org.wegeft.llm.tokenizer.Tokenizer}, implemented over Hugging Face
 * {@code tokenizer.json} files by {@link org.wegeft.llm.tokenizer.HfTokenizer}, with special tokens resolved from
 * {@code tokenizer_config.json} and {@code generation_config.json}.
 */
@NullMarked
package org.wegeft.llm.tokenizer;

import org.jspecify.annotations.NullMarked;
