package org.wegeft.cli;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code wegeft bench jmh [JMH args]}: runs the JMH benchmarks packaged in the jar (package
 * {@code org.wegeft.cli.jmh}) with JMH's own command line, e.g.
 * {@code wegeft bench jmh GemmBenchmark -f 1 -wi 2 -i 3}. The forked JVMs get the Vector API module and
 * native access automatically.
 */
@Command(name = "jmh", description = "Runs the packaged JMH benchmarks; arguments are JMH's (try -h, -l).")
final class BenchJmhCommand implements Callable<Integer> {
    /** Appended to every forked benchmark JVM's arguments. */
    static final List<String> FORK_FLAGS = List.of("--add-modules=jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED");

    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "JMH_ARG", description = "JMH command-line arguments")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws RunnerException {
        CommandLineOptions cmd;
        try {
            cmd = new CommandLineOptions(args.toArray(String[]::new));
        } catch (CommandLineOptionException e) {
            throw new ParameterException(spec.commandLine(), "JMH arguments: " + e.getMessage());
        }
        // without -jvmArgs, JMH forks with this JVM's own arguments: add only the flags those lack
        List<String> inherited = cmd.getJvmArgs().hasValue() ? List.of()
                : ManagementFactory.getRuntimeMXBean().getInputArguments();
        List<String> append = new ArrayList<>(cmd.getJvmArgsAppend().orElse(List.of()));
        for (String flag : FORK_FLAGS) {
            String value = flag.substring(flag.indexOf('=') + 1);
            if (inherited.stream().noneMatch(a -> a.endsWith(value))) {
                append.add(flag);
            }
        }
        Options options = new OptionsBuilder().parent(cmd).jvmArgsAppend(append.toArray(String[]::new)).build();
        Runner runner = new Runner(options);
        if (cmd.shouldHelp()) {
            try {
                cmd.showHelp();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return 0;
        }
        if (cmd.shouldList()) {
            runner.list();
            return 0;
        }
        if (cmd.shouldListWithParams()) {
            runner.listWithParams(cmd);
            return 0;
        }
        try {
            Collection<?> results = runner.run();
            return results.isEmpty() ? WegeftCli.USAGE_ERROR : 0;
        } catch (NoBenchmarksException e) {
            throw new IllegalArgumentException("no JMH benchmark matches " + cmd.getIncludes()
                    + " (list them with: wegeft bench jmh -l)");
        }
    }
}
