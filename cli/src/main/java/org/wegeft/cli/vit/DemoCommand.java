package org.wegeft.cli.vit;

import org.wegeft.cli.CommandGroup;
import picocli.CommandLine.Command;

/** {@code wegeft demo vit}. */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Demos on the embedded data.",
        subcommands = {DemoVitCommand.class, org.wegeft.cli.llmdemo.DemoLlmCommand.class})
public final class DemoCommand extends CommandGroup {
    public DemoCommand() {
        super("demo");
    }
}
