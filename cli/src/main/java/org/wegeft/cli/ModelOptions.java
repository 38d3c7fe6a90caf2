package org.wegeft.cli;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code --model DIR [--adapter DIR]}: the model folder a command loads, and a PEFT adapter on top of it. */
public final class ModelOptions {
    @Option(names = "--model", converter = ModelFolder.class, required = true, paramLabel = "DIR|ORG/NAME",
            description = "Hugging Face model folder, or a Hub id in the local cache")
    @SuppressWarnings("NullAway.Init")
    public Path model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT adapter folder (any registered method)")
    public @Nullable Path adapter;

    /** Both folders exist (status 2 naming the flag otherwise). */
    public void check(CommandSpec spec) {
        FlagCheck.folder(spec, "--model", model);
        FlagCheck.folder(spec, "--adapter", adapter);
    }
}
