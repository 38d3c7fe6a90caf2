package org.wegeft.cli;

import picocli.CommandLine.Command;

/** {@code wegeft bench gemm|jmh|soak|allreduce|data-vs-train|llm-memory|train|forward|make-model}. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks.",
        subcommands = {BenchGemmCommand.class, BenchJmhCommand.class, BenchSoakCommand.class, BenchAllReduceCommand.class,
                org.wegeft.cli.vit.BenchDataVsTrainCommand.class,
                org.wegeft.cli.llmdemo.BenchLlmMemoryCommand.class,
                org.wegeft.cli.perf.BenchTrainCommand.class, org.wegeft.cli.perf.BenchForwardCommand.class,
                org.wegeft.cli.perf.BenchMakeModelCommand.class})
final class BenchCommand extends CommandGroup {
    BenchCommand() {
        super("benchmark");
    }
}
