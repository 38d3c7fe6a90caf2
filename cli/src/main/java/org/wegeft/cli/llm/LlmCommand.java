package org.wegeft.cli.llm;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code wegeft llm train|generate|perplexity|tokenize}: LLaMA-family models from Hugging Face folders. */
@Command(name = "llm", mixinStandardHelpOptions = true,
        description = "LLaMA-family models: fine-tune (WeGeFT, LoRA, full), generate, measure perplexity, tokenize data.",
        subcommands = {LlmTrainCommand.class, LlmGenerateCommand.class, LlmPerplexityCommand.class,
                LlmTokenizeCommand.class,
                org.wegeft.cli.llmdemo.LlmPretrainCommand.class})
public final class LlmCommand implements Callable<Integer> {
    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command (train, generate, perplexity, tokenize, pretrain)");
    }
}
