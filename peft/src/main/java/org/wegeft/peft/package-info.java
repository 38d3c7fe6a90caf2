/**
 * Parameter-efficient fine-tuning: adapter configs in Hugging Face PEFT's {@code adapter_config.json} layout
 * ({@link org.wegeft.peft.AdapterConfig}), target selection ({@link org.wegeft.peft.AdapterPlan}), the shared
 * adapter-layer contract ({@link org.wegeft.peft.AdapterLayer}), merge math reusable without a model
 * ({@link org.wegeft.peft.Merger}), parameter counts from shapes, baselines, and {@link org.wegeft.peft.PeftModel}
 * (inject, merge, unmerge, save, load), all generic over the registry's methods
 * ({@link org.wegeft.peft.FineTuningMethods}). Each method is one package holding its
 * {@link org.wegeft.peft.AdapterMethod}, its config record and its layer: {@code org.wegeft.peft.wegeft},
 * {@code org.wegeft.peft.lora} (with DoRA), {@code org.wegeft.peft.vera}, {@code org.wegeft.peft.ia3}.
 */
@NullMarked
package org.wegeft.peft;

import org.jspecify.annotations.NullMarked;
