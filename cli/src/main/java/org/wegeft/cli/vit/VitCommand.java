package org.wegeft.cli.vit;

import org.wegeft.cli.CommandGroup;
import picocli.CommandLine.Command;

/** {@code wegeft vit pretrain|train|eval}. */
@Command(name = "vit", mixinStandardHelpOptions = true, description = "Vision Transformer: pretrain, fine-tune, evaluate.",
        subcommands = {VitPretrainCommand.class, VitTrainCommand.class, VitEvalCommand.class})
public final class VitCommand extends CommandGroup {
    public VitCommand() {
        super("command");
    }
}
