package org.wegeft.cli.perf;

import org.jspecify.annotations.Nullable;
import org.wegeft.cli.FlagCheck;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The {@code --model}, {@code --batch} and {@code --seq} options of {@code bench train} and {@code bench forward}. */
final class BenchShapeOptions {
    @Option(names = "--model", required = true,
            paramLabel = "vit-ti16|vit-s16|vit-b16|vit-l16|llama-tiny|llama-110m|llama-1b|llama-8b|qwen3-0.6b")
    String model = "";

    @Option(names = "--batch", description = "images or sequences per step (default: 8 for a ViT, 4 for llama-tiny, "
            + "1 for llama-1b, llama-8b and qwen3-0.6b)")
    @Nullable Integer batch;

    @Option(names = "--seq", description = "tokens per sequence (language models only; default 256)")
    @Nullable Integer seq;

    /** A benchmark model with its batch and sequence length (0 for a ViT). */
    record Shape(BenchModel model, int batch, int seq) {}

    /** Checks the numbers given (first, so that each message names the flag that is wrong). */
    void checkNumbers(CommandSpec spec) {
        if (batch != null) {
            FlagCheck.atLeast(spec, "--batch", batch, 1);
        }
        if (seq != null) {
            FlagCheck.atLeast(spec, "--seq", seq, 2);
        }
    }

    /** The model and its batch and sequence length, defaults filled in. */
    Shape resolve(CommandSpec spec) {
        BenchModel m = BenchModel.parse("--model", model);
        if (seq != null && !m.isLlm()) {
            throw new ParameterException(spec.commandLine(), "--seq applies to language models (llama-*, "
                    + "qwen3-0.6b) only, not " + m.id());
        }
        int b = batch != null ? batch : m.defaultBatch();
        return new Shape(m, b, m.isLlm() ? (seq != null ? seq : 256) : 0);
    }
}
