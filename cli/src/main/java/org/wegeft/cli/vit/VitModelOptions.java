package org.wegeft.cli.vit;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.wegeft.cli.FlagCheck;
import org.wegeft.cli.ModelFolder;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code --model DIR [--adapter DIR]}: the ViT folder a command loads, and a PEFT adapter on top of it. */
final class VitModelOptions {
    @Option(names = "--model", converter = ModelFolder.class, required = true, paramLabel = "DIR|ORG/NAME",
            description = "ViT folder (config.json + model.safetensors)")
    @SuppressWarnings("NullAway.Init")
    Path model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT adapter folder written by wegeft vit train")
    @Nullable Path adapter;

    /** Both folders exist (status 2 naming the flag otherwise). */
    void check(CommandSpec spec) {
        FlagCheck.folder(spec, "--model", model);
        FlagCheck.folder(spec, "--adapter", adapter);
    }
}
