package org.wegeft.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import org.wegeft.cli.llm.LlmCommand;
import org.wegeft.kernels.WegeftInputException;
import org.wegeft.llm.tokenizer.HfTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The {@code wegeft} command line. Exit status: 0 on success, 2 on any bad input (flag, value, file,
 * backend), with one line {@code wegeft <cmd>: <message>} on stderr and no stack trace
 * (set {@code WEGEFT_DEBUG=1} to get the stack trace of an unexpected error).
 */
@Command(name = "wegeft", mixinStandardHelpOptions = true, version = "wegeft 0.1.0",
        description = "WeGeFT-JVM: inspect and verify checkpoints, merge adapters, list kernel backends, run"
                + " benchmarks.",
        subcommands = {InspectCommand.class, VerifyCommand.class, MergeCommand.class, BenchCommand.class,
                BackendsCommand.class,
                org.wegeft.cli.vit.VitCommand.class, org.wegeft.cli.vit.DemoCommand.class,
                LlmCommand.class})
public final class WegeftCli extends CommandGroup {
    /** Exit status for every kind of bad input. */
    public static final int USAGE_ERROR = 2;
    /** Exit status for a failure that is not the input's fault (a bug, a broken installation). */
    public static final int INTERNAL_ERROR = 1;

    private static final String LOG_FORMAT = "java.util.logging.SimpleFormatter.format";

    public WegeftCli() {
        super("command");
    }

    /** A configured command line writing to the given streams. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new WegeftCli());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExpandAtFiles(false);
        cl.setUnmatchedOptionsAllowedAsOptionParameters(false);   // a mistyped flag is an error, not a file name
        cl.getSubcommands().get("bench").getSubcommands().get("jmh")
                .setUnmatchedOptionsArePositionalParams(true);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println(c.getCommandSpec().qualifiedName() + ": " + oneLine(ex.getMessage())
                    + " (see " + c.getCommandSpec().qualifiedName() + " --help)");
            c.getErr().flush();
            return USAGE_ERROR;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> report(c, ex));
        return cl;
    }

    /** One line on stderr; 2 for bad input, 1 (with the exception type) for anything else. */
    static int report(CommandLine c, Throwable ex) {
        // the library's bad input, a flag's value rejected by a command, or a file that cannot be read
        boolean badInput = ex instanceof WegeftInputException || ex instanceof IllegalArgumentException
                || ex instanceof IOException || ex instanceof UncheckedIOException;
        String name = c.getCommandSpec().qualifiedName();
        if (badInput) {
            c.getErr().println(name + ": " + oneLine(ex.getMessage()));
        } else {
            c.getErr().println(name + ": internal error: " + ex.getClass().getName() + ": " + oneLine(ex.getMessage())
                    + (System.getenv("WEGEFT_DEBUG") == null ? " (WEGEFT_DEBUG=1 shows the stack trace)" : ""));
        }
        if (System.getenv("WEGEFT_DEBUG") != null) {
            ex.printStackTrace(c.getErr());
        }
        c.getErr().flush();
        return badInput ? USAGE_ERROR : INTERNAL_ERROR;
    }

    static String oneLine(@org.jspecify.annotations.Nullable String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }

    public static void main(String[] args) {
        // the library's log lines (a removed leftover of a killed writer, a lock taken over) as one line each
        if (System.getProperty(LOG_FORMAT) == null) {
            System.setProperty(LOG_FORMAT, "wegeft: %5$s%6$s%n");
        }
        HfTokenizer.useBundledLibrary(); // the command line never downloads a tokenizer library
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        CommandLine cl = commandLine(out, err);
        int status;
        try {
            status = cl.execute(args);
        } catch (Error e) { // errors bypass picocli's handler (e.g. a malformed META-INF/services file)
            status = report(cl, e);
        }
        out.flush();
        err.flush();
        System.exit(status);
    }
}
