package org.wegeft.cli.perf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.GemmSpec;
import org.wegeft.kernels.KernelBackend;
import org.wegeft.kernels.cuda.CudaBackend;
import org.wegeft.nn.train.SampleStats;

/**
 * Times C = A·B for n×n matrices on one backend: warm-up (at least {@code warmup} runs and
 * {@code warmupSeconds}), then {@code runs} timed runs, each synchronised; the median gives GFLOP/s. Used by
 * {@code wegeft bench gemm} and, as the reference of the model FLOP utilisation, by {@code wegeft bench train}.
 */
public final class GemmRate {
    private GemmRate() {}

    /**
     * @param medianMs  median run time in milliseconds
     * @param gflops    2n³ / median, in GFLOP/s
     * @param warmup    untimed runs done
     */
    public record Result(double medianMs, double gflops, int warmup) {}

    /** 3 warm-up runs, more for small products (about 0.2 GFLOP of warm-up in all, at most 200 runs). */
    public static int defaultWarmup(double flops) {
        return (int) Math.max(3, Math.min(200, 2e8 / flops));
    }

    /**
     * Measures an n×n GEMM on {@code b} (float32, or bf16 inputs with float32 output on CUDA when {@code bf16}).
     * @param warmup least untimed runs, or -1 for {@link #defaultWarmup}
     */
    public static Result measure(KernelBackend b, int n, boolean bf16, int warmup, double warmupSeconds, int runs) {
        GemmSpec gemm = GemmSpec.of(false, false, n, n, n, 1f, 0f);
        int w = warmup >= 0 ? warmup : defaultWarmup(gemm.flops());
        long elements = (long) n * n;
        double[] ms = new double[runs];
        // shared, not confined: the CPU backend's worker threads must be able to touch the buffers
        try (Arena arena = Arena.ofShared()) {
            // a, b, c: (n, n) row-major float32 (a, b bf16 with bf16); on a device backend, device copies
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
        double median = SampleStats.of(ms);
        return new Result(median, gemm.flops() / (median / 1e3) / 1e9, w);
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
