package org.wegeft.cli;

import org.jspecify.annotations.Nullable;
import org.wegeft.llm.Quantization;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code --quantize nf4|int8 [--double-quant] [--quantize-embeddings]}: the frozen Linear weights of a language model
 * quantized as they load (bitsandbytes' NF4 or LLM.int8() weights), the token embedding and output head only with
 * {@code --quantize-embeddings}.
 */
public final class QuantizeOptions {
    @Option(names = "--quantize", paramLabel = "nf4|int8", description = "quantize the frozen Linear weights as they"
            + " load: nf4 (4-bit NormalFloat, block 64) or int8 (per output row)")
    @Nullable String quantize;

    @Option(names = "--double-quant", description = "with --quantize nf4: double-quantize the absmax values")
    boolean doubleQuant;

    @Option(names = "--quantize-embeddings", description = "with --quantize: the token embedding and the output head"
            + " too (they stay in their stored dtype otherwise)")
    boolean embeddings;

    /** The quantization asked for, or null; a ParameterException naming the flag when the flags do not agree. */
    public @Nullable Quantization quantization(CommandSpec spec) {
        CommandLine cl = spec.commandLine();
        if (quantize == null) {
            if (doubleQuant || embeddings) {
                throw new ParameterException(cl, (doubleQuant ? "--double-quant" : "--quantize-embeddings")
                        + " needs --quantize");
            }
            return null;
        }
        try {
            return new Quantization(Quantization.format(quantize), doubleQuant, embeddings);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, e.getMessage());
        }
    }
}
