/**
 * Training and inference benchmarks that are compared side by side with PyTorch ({@code tools/bench/torch_ref.py}):
 * {@code wegeft bench train} (step time, peak memory, model FLOP utilisation) and {@code wegeft bench forward}
 * (a merged WeGeFT model against its base model).
 */
@NullMarked
package org.wegeft.cli.perf;

import org.jspecify.annotations.NullMarked;
