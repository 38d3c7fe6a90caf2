/**
 * The small-LLaMA demo: {@code wegeft llm pretrain} (a LLaMA trained from scratch on a plain-text corpus),
 * {@code wegeft demo llm} (WeGeFT vs LoRA on a generated arithmetic instruction task, exact match before and
 * after) and {@code wegeft bench llm-memory} (peak memory of WeGeFT + gradient checkpointing vs full
 * fine-tuning of a ~100M-parameter LLaMA, each in a fresh JVM).
 */
@NullMarked
package org.wegeft.cli.llmdemo;

import org.jspecify.annotations.NullMarked;
