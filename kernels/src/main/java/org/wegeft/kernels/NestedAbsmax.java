package org.wegeft.kernels;

/**
 * NF4 absmax values double-quantized ({@link Quantizers#nestAbsmax}): {@code restored[i] = map[codes[i] & 255] ·
 * absmax2[i / 256] + offset} in float32, map being bitsandbytes' 8-bit dynamic map; {@code restored} is what the NF4
 * weight is dequantized with.
 */
public record NestedAbsmax(float offset, byte[] codes, float[] absmax2, float[] restored) {
}
