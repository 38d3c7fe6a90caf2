/**
 * WeGeFT (Weight-Generative Fine-Tuning) as an adapter method: {@link org.wegeft.peft.wegeft.WeGeFTMethod} (its
 * registry entry), {@link org.wegeft.peft.wegeft.WeGeFTConfig} (its {@code adapter_config.json}) and the
 * {@link org.wegeft.peft.wegeft.WeGeFTLinear} tuner layer.
 */
@NullMarked
package org.wegeft.peft.wegeft;

import org.jspecify.annotations.NullMarked;
