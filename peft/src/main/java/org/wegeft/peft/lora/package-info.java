/**
 * LoRA with Hugging Face PEFT semantics as an adapter method: {@link org.wegeft.peft.lora.LoraMethod} (its registry
 * entry), {@link org.wegeft.peft.lora.LoraConfig} (its {@code adapter_config.json}) and the
 * {@link org.wegeft.peft.lora.LoraLinear} tuner layer.
 */
@NullMarked
package org.wegeft.peft.lora;

import org.jspecify.annotations.NullMarked;
