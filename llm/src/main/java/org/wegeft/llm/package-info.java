/**
 * LLaMA-family decoders (Llama 2/3, Mistral, Qwen2) with Hugging Face parameter names
 * ({@link org.wegeft.llm.CausalLM}), their {@code config.json} ({@link org.wegeft.llm.DecoderConfig}),
 * a per-layer KV cache ({@link org.wegeft.llm.KvCache}) and sampling-based generation
 * ({@link org.wegeft.llm.Generator}).
 */
@NullMarked
package org.wegeft.llm;

import org.jspecify.annotations.NullMarked;
