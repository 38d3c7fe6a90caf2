package org.wegeft.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code wegeft bench gemm|jmh|soak|data-vs-train|llm-memory|train|forward|make-model}. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks.",
        subcommands = {BenchGemmCommand.class, BenchJmhCommand.class, BenchSoakCommand.class, BenchAllReduceCommand.class,
                org.wegeft.cli.vit.BenchDataVsTrainCommand.class,
                org.wegeft.cli.llmdemo.BenchLlmMemoryCommand.class,
                org.wegeft.cli.perf.BenchTrainCommand.class, org.wegeft.cli.perf.BenchForwardCommand.class,
                org.wegeft.cli.perf.BenchMakeModelCommand.class})
final class BenchCommand implements Callable<Integer> {
    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(),
                "missing benchmark (gemm, jmh, soak, data-vs-train, llm-memory, train, forward, make-model)");
    }
}
