/**
 * (IA)³ with Hugging Face PEFT semantics as an adapter method: {@link org.wegeft.peft.ia3.Ia3Method} (its registry
 * entry), {@link org.wegeft.peft.ia3.Ia3Config} (its {@code adapter_config.json}) and the
 * {@link org.wegeft.peft.ia3.Ia3Linear} tuner layer.
 */
@NullMarked
package org.wegeft.peft.ia3;

import org.jspecify.annotations.NullMarked;
