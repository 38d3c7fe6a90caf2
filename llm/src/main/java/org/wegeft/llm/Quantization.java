package org.wegeft.llm;

import org.wegeft.kernels.QuantFormat;

/**
 * How a {@link CausalLM}'s frozen weights are quantized as they load ({@code --quantize}): every Linear weight of
 * the decoder in {@code format} (NF4 with bitsandbytes' block 64, or INT8 per row), the NF4 absmax values
 * double-quantized when {@code doubleQuant} ({@code --double-quant}), the token embedding and the output head too
 * only when {@code embeddings} ({@code --quantize-embeddings}); norms and biases stay as stored.
 */
public record Quantization(QuantFormat format, boolean doubleQuant, boolean embeddings) {
    public Quantization {
        if (doubleQuant && format != QuantFormat.NF4) {
            throw new IllegalArgumentException("--double-quant applies to --quantize nf4, not " + format);
        }
    }

    /** The format named on the command line ({@code nf4} or {@code int8}, any case). */
    public static QuantFormat format(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "nf4" -> QuantFormat.NF4;
            case "int8" -> QuantFormat.INT8;
            default -> throw new IllegalArgumentException("--quantize must be nf4 or int8, got '" + name + "'");
        };
    }
}
