package org.wegeft.cli.llm;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.wegeft.cli.ModelFolder;
import picocli.CommandLine.Option;

/** {@code --model DIR [--adapter DIR]}: the model folder an LLM command loads, and a PEFT adapter on top of it. */
final class ModelOptions {
    @Option(names = "--model", converter = ModelFolder.class, required = true, paramLabel = "DIR|ORG/NAME",
            description = "Hugging Face model folder, or a Hub id in the local cache")
    @SuppressWarnings("NullAway.Init")
    Path model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT adapter folder (any registered method)")
    @Nullable Path adapter;
}
