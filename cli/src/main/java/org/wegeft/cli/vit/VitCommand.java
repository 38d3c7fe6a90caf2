package org.wegeft.cli.vit;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code wegeft vit pretrain|train|eval}. */
@Command(name = "vit", mixinStandardHelpOptions = true, description = "Vision Transformer: pretrain, fine-tune, evaluate.",
        subcommands = {VitPretrainCommand.class, VitTrainCommand.class, VitEvalCommand.class})
public final class VitCommand implements Callable<Integer> {
    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command (pretrain, train, eval)");
    }
}
