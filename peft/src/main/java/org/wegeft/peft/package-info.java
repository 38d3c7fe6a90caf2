/**
 * Parameter-efficient fine-tuning: adapter configs in Hugging Face PEFT's {@code adapter_config.json} layout
 * ({@link org.wegeft.peft.WeGeFTConfig}, {@link org.wegeft.peft.LoraConfig}), target selection, the shared
 * adapter-layer contract ({@link org.wegeft.peft.AdapterLayer}), ΔW / merge math reusable without a model
 * ({@link org.wegeft.peft.Merger}), parameter counts from shapes, baselines, and {@link org.wegeft.peft.PeftModel}
 * (inject, merge, unmerge, save, load). Method layers live in {@code org.wegeft.peft.wegeft} and
 * {@code org.wegeft.peft.lora}.
 */
@NullMarked
package org.wegeft.peft;

import org.jspecify.annotations.NullMarked;
