package org.wegeft.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A command that only groups subcommands ({@code wegeft}, {@code wegeft bench}, …). Run alone it fails with
 * status 2 and {@code missing <what> (<its subcommands>)}, the list read from the command's own
 * {@code subcommands}, so it cannot drift from them.
 */
public abstract class CommandGroup implements Callable<Integer> {
    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    private final String what;

    /** {@code what}: the word for the missing subcommand, e.g. "command" or "benchmark". */
    protected CommandGroup(String what) {
        this.what = what;
    }

    @Override
    public final Integer call() {
        throw new ParameterException(spec.commandLine(),
                "missing " + what + " (" + String.join(", ", spec.subcommands().keySet()) + ")");
    }
}
