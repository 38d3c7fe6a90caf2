package org.wegeft.cli.llm;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** {@code --model DIR [--adapter DIR]}: the model folder an LLM command loads, and a PEFT adapter on top of it. */
final class ModelOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face model folder")
    @SuppressWarnings("NullAway.Init")
    Path model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT adapter folder (any registered method)")
    @Nullable Path adapter;
}
