package org.wegeft.cli.llm;

import org.wegeft.cli.CommandGroup;
import picocli.CommandLine.Command;

/** {@code wegeft llm train|generate|perplexity|tokenize}: LLaMA-family models from Hugging Face folders. */
@Command(name = "llm", mixinStandardHelpOptions = true,
        description = "LLaMA-family models: fine-tune (WeGeFT, LoRA, full), generate, measure perplexity, tokenize data.",
        subcommands = {LlmTrainCommand.class, LlmGenerateCommand.class, LlmPerplexityCommand.class,
                LlmTokenizeCommand.class,
                org.wegeft.cli.llmdemo.LlmPretrainCommand.class})
public final class LlmCommand extends CommandGroup {
    public LlmCommand() {
        super("command");
    }
}
