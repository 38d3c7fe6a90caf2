package org.wegeft.cli;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.BackendUnavailableException;
import org.wegeft.kernels.Backends;
import org.wegeft.kernels.KernelBackend;
import org.wegeft.kernels.Parallel;
import org.wegeft.cli.perf.GemmRate;
import org.wegeft.kernels.cuda.CudaBackend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code wegeft bench gemm --n N}: times C = A·B for n×n float32 matrices on one backend and prints one
 * JSON line: {@code {"bench":"gemm","backend":…,"n":…,"gflops":…,"median_ms":…,"threads":…}}.
 */
@Command(name = "gemm", mixinStandardHelpOptions = true,
        description = "Times an n×n GEMM (C = A·B; float32, or bf16 inputs on cuda) and prints one JSON line.")
final class BenchGemmCommand implements Callable<Integer> {
    static final int MAX_N = 32768;

    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Option(names = "--n", required = true, description = "matrix size (1.." + MAX_N + ")")
    int n;

    @Option(names = "--backend", description = "kernel backend (scalar, cpu, …); default: the configured one")
    @Nullable String backend;

    @Option(names = "--warmup", description = "least number of untimed runs (default: 3, more for small n)")
    @Nullable Integer warmup;

    @Option(names = "--warmup-seconds", defaultValue = "2",
            description = "least time spent in untimed runs, so the JIT has compiled the kernels "
                    + "(default: ${DEFAULT-VALUE})")
    double warmupSeconds;

    @Option(names = "--runs", defaultValue = "10", description = "timed runs (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--dtype", defaultValue = "f32",
            description = "input type: f32, or bf16 (A and B bf16, C float32, float32 accumulate; cuda only) "
                    + "(default: ${DEFAULT-VALUE})")
    String dtype;

    @Override
    public Integer call() {
        if (n < 1 || n > MAX_N) {
            throw new ParameterException(spec.commandLine(), "--n must be between 1 and " + MAX_N + ", got " + n);
        }
        if (runs < 1) {
            throw new ParameterException(spec.commandLine(), "--runs must be at least 1, got " + runs);
        }
        if (!(warmupSeconds >= 0 && warmupSeconds <= 600)) {
            throw new ParameterException(spec.commandLine(), "--warmup-seconds must be in [0, 600], got " + warmupSeconds);
        }
        if (warmup != null && warmup < 0) {
            throw new ParameterException(spec.commandLine(), "--warmup must not be negative, got " + warmup);
        }
        KernelBackend b;
        try {
            b = backend == null ? Backends.current() : Backends.byName(backend);
        } catch (BackendUnavailableException e) {
            throw new ParameterException(spec.commandLine(), "--backend: " + e.getMessage());
        }
        boolean bf16 = switch (dtype.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "f32" -> false;
            case "bf16" -> true;
            default -> throw new ParameterException(spec.commandLine(), "--dtype must be f32 or bf16, got '" + dtype + "'");
        };
        if (bf16 && !(b instanceof CudaBackend)) {
            throw new ParameterException(spec.commandLine(), "--dtype bf16 is supported on the cuda backend only, not '"
                    + b.name() + "'");
        }
        GemmRate.Result r = GemmRate.measure(b, n, bf16, warmup != null ? warmup : -1, warmupSeconds, runs);
        JsonMapper json = new JsonMapper();
        ObjectNode line = json.createObjectNode()
                .put("bench", "gemm")
                .put("backend", b.name())
                .put("n", n)
                .put("dtype", bf16 ? "bf16" : "f32")
                .put("gflops", r.gflops())
                .put("median_ms", r.medianMs())
                .put("warmup", r.warmup())
                .put("runs", runs)
                .put("threads", Parallel.threads());
        spec.commandLine().getOut().println(line.toString());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
