package org.wegeft.examples;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.wegeft.kernels.BackendUnavailableException;
import org.wegeft.tensor.SafetensorsException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code wegeft} command line. Exit status: 0 on success, 2 on any bad input (flag, value, file,
 * backend), with one line {@code wegeft <cmd>: <message>} on stderr and no stack trace
 * (set {@code WEGEFT_DEBUG=1} to get the stack trace of an unexpected error).
 */
@Command(name = "wegeft", mixinStandardHelpOptions = true, version = "wegeft 0.1.0",
        description = "WeGeFT-JVM: inspect checkpoints, list kernel backends, run benchmarks.",
        subcommands = {InspectCommand.class, BenchCommand.class, BackendsCommand.class})
public final class WegeftCli implements Callable<Integer> {
    /** Exit status for every kind of bad input. */
    public static final int USAGE_ERROR = 2;

    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command (inspect, bench, backends)");
    }

    /** A configured command line writing to the given streams. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new WegeftCli());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExpandAtFiles(false);
        cl.getSubcommands().get("bench").getSubcommands().get("jmh")
                .setUnmatchedOptionsArePositionalParams(true);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println(c.getCommandSpec().qualifiedName() + ": " + oneLine(ex.getMessage())
                    + " (see " + c.getCommandSpec().qualifiedName() + " --help)");
            c.getErr().flush();
            return USAGE_ERROR;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            c.getErr().println(c.getCommandSpec().qualifiedName() + ": " + describe(ex));
            if (System.getenv("WEGEFT_DEBUG") != null) {
                ex.printStackTrace(c.getErr());
            }
            c.getErr().flush();
            return USAGE_ERROR;
        });
        return cl;
    }

    private static String describe(Exception ex) {
        if (ex instanceof SafetensorsException || ex instanceof BackendUnavailableException
                || ex instanceof IllegalArgumentException) {
            return oneLine(ex.getMessage());
        }
        return ex.getClass().getSimpleName() + ": " + oneLine(ex.getMessage());
    }

    static String oneLine(@org.jspecify.annotations.Nullable String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int status = commandLine(out, err).execute(args);
        out.flush();
        err.flush();
        System.exit(status);
    }
}
