package org.wegeft.cli.vit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.wegeft.cli.ModelFolder;
import picocli.CommandLine.Option;

/** {@code --model DIR} of {@code demo vit} and of the benchmarks that time the demo: by default the committed ViT. */
final class DemoVitModel {
    @Option(names = "--model", converter = ModelFolder.class, defaultValue = "examples/models/vit-fmnist",
            paramLabel = "DIR|ORG/NAME",
            description = "default: ${DEFAULT-VALUE}")
    Path folder = Path.of("examples/models/vit-fmnist");

    /** The folder, which must hold a config.json. */
    Path checked() {
        if (!Files.isRegularFile(folder.resolve("config.json"))) {
            throw new IllegalArgumentException("--model: no config.json in " + folder);
        }
        return folder;
    }
}
