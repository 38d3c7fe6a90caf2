/**
 * WeGeFT (Weight-Generative Fine-Tuning): the {@link org.wegeft.peft.wegeft.WeGeFTLinear} tuner layer.
 */
@NullMarked
package org.wegeft.peft.wegeft;

import org.jspecify.annotations.NullMarked;
