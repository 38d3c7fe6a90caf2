/**
 * VeRA with Hugging Face PEFT semantics as an adapter method: {@link org.wegeft.peft.vera.VeraMethod} (its registry
 * entry), {@link org.wegeft.peft.vera.VeraConfig} (its {@code adapter_config.json}), the
 * {@link org.wegeft.peft.vera.VeraLinear} tuner layer, and PyTorch's generator that makes the shared projections from
 * {@code projection_prng_key}.
 */
@NullMarked
package org.wegeft.peft.vera;

import org.jspecify.annotations.NullMarked;
