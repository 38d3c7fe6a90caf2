package org.wegeft.cli.vit;

import org.wegeft.cli.CommandGroup;
import picocli.CommandLine.Command;

/** {@code wegeft vit pretrain|train|eval|predict}. */
@Command(name = "vit", mixinStandardHelpOptions = true, description = "Vision Transformer: pretrain, fine-tune, evaluate, classify images.",
        subcommands = {VitPretrainCommand.class, VitTrainCommand.class, VitEvalCommand.class,
        VitPredictCommand.class})
public final class VitCommand extends CommandGroup {
    public VitCommand() {
        super("command");
    }
}
