/**
 * LoRA with Hugging Face PEFT semantics as an adapter method: {@link org.wegeft.peft.lora.LoraMethod} (its registry
 * entry), {@link org.wegeft.peft.lora.LoraConfig} (its {@code adapter_config.json}) and the
 * {@link org.wegeft.peft.lora.LoraLinear} tuner layer; DoRA ({@link org.wegeft.peft.lora.DoraMethod}) is LoRA with
 * {@code use_dora}.
 */
@NullMarked
package org.wegeft.peft.lora;

import org.jspecify.annotations.NullMarked;
