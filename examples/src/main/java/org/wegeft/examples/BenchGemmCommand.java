package org.wegeft.examples;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.BackendUnavailableException;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.Backends;
import org.wegeft.kernels.GemmSpec;
import org.wegeft.kernels.KernelBackend;
import org.wegeft.kernels.Parallel;
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

    @Option(names = "--n", required = true, description = "matrix size (1..${MAX_N})")
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
        GemmSpec gemm = GemmSpec.of(false, false, n, n, n, 1f, 0f);
        int w = warmup != null ? warmup : defaultWarmup(gemm.flops());
        long elements = (long) n * n;
        double[] ms = new double[runs];
        // shared, not confined: the CPU backend's worker threads must be able to touch the buffers
        try (Arena arena = Arena.ofShared()) {
            // a, b, c: (n, n) row-major float32 (a, b bf16 with --dtype bf16); on a device backend, device copies
            MemorySegment a = onBackend(b, arena, randomMatrix(arena, elements, 1), bf16);
            MemorySegment bm = onBackend(b, arena, randomMatrix(arena, elements, 2), bf16);
            MemorySegment c = b.hostAccessible() ? arena.allocate(elements * Float.BYTES, 64)
                    : b.allocate(elements * Float.BYTES);
            Runnable run = bf16 ? () -> ((CudaBackend) b).gemmBf16(gemm, a, bm, c) : () -> b.gemm(gemm, a, bm, c);
            try {
                long warmEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
                int warmed = 0;
                while (warmed < w || System.nanoTime() < warmEnd) {
                    run.run();
                    b.synchronize();
                    warmed++;
                }
                w = warmed;
                for (int i = 0; i < runs; i++) {
                    long t0 = System.nanoTime();
                    run.run();
                    b.synchronize(); // device backends return before the product is done
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
            } finally {
                if (!b.hostAccessible()) {
                    b.free(a);
                    b.free(bm);
                    b.free(c);
                }
            }
        }
        Arrays.sort(ms);
        double median = runs % 2 == 1 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
        JsonMapper json = new JsonMapper();
        ObjectNode line = json.createObjectNode()
                .put("bench", "gemm")
                .put("backend", b.name())
                .put("n", n)
                .put("dtype", bf16 ? "bf16" : "f32")
                .put("gflops", gemm.flops() / (median / 1e3) / 1e9)
                .put("median_ms", median)
                .put("warmup", w)
                .put("runs", runs)
                .put("threads", Parallel.threads());
        spec.commandLine().getOut().println(line.toString());
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** 3 warm-up runs, more for small products (about 0.2 GFLOP of warm-up in all, at most 200 runs). */
    static int defaultWarmup(double flops) {
        return (int) Math.max(3, Math.min(200, 2e8 / flops));
    }

    /** The host matrix itself for host backends; else a device copy (converted to bf16 on the device if asked). */
    private static MemorySegment onBackend(KernelBackend b, Arena arena, MemorySegment host, boolean bf16) {
        if (b.hostAccessible()) {
            return host;
        }
        long elements = host.byteSize() / Float.BYTES;
        MemorySegment f32 = b.allocate(host.byteSize());
        b.copyToDevice(host, f32, host.byteSize());
        if (!bf16) {
            return f32;
        }
        MemorySegment half = b.allocate(elements * 2);
        b.convert(DType.F32, f32, DType.BF16, half, elements);
        b.synchronize();
        b.free(f32);
        return half;
    }

    private static MemorySegment randomMatrix(Arena arena, long elements, long seed) {
        MemorySegment m = arena.allocate(elements * Float.BYTES, 64);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < elements; i++) {
            m.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (r.nextDouble() * 2 - 1));
        }
        return m;
    }
}
