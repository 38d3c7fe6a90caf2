/**
 * LoRA with Hugging Face PEFT semantics: the {@link org.wegeft.peft.lora.LoraLinear} tuner layer.
 */
@NullMarked
package org.wegeft.peft.lora;

import org.jspecify.annotations.NullMarked;
