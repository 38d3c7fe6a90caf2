package org.wegeft.cli.vit;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code wegeft demo vit}. */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Demos on the embedded data.",
        subcommands = {DemoVitCommand.class, org.wegeft.cli.llmdemo.DemoLlmCommand.class})
public final class DemoCommand implements Callable<Integer> {
    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing demo (vit, llm)");
    }
}
