/**
 * Pre-quantized bitsandbytes 4-bit checkpoints as transformers writes them ({@code load_in_4bit}): the
 * {@code quantization_config} of config.json, and per quantized Linear weight its packed codes, block-wise absmax
 * (double quantization undone) and code table, as plain {@link org.wegeft.tensor.bnb.Nf4Blocks} records.
 */
@NullMarked
package org.wegeft.tensor.bnb;

import org.jspecify.annotations.NullMarked;
