package org.wegeft.kernels.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.wegeft.kernels.DType;
import org.wegeft.kernels.GemmSpec;
import org.wegeft.kernels.Parallel;
import org.wegeft.kernels.WeightDropout;

/**
 * Throw-away GEMM throughput harness (not a test): same method as tools/bench/torch_gemm.py — warm-up, then
 * the median of 10 runs, GFLOP/s = 2·M·N·K / time. Arguments: square sizes ({@code 1024}) or shapes
 * ({@code 1576x384x1152:NT}, op(A) M×K, op(B) K×N), optionally with B's dtype and a weight dropout of 0.1
 * ({@code 256x8192x2048:NT:bf16}, {@code …:bf16:drop}, or {@code …:bf16:drop@256} for dropout from row 256 on: a layer's
 * product and its dropped twin stacked), run through {@code CpuBackend.gemmWeight}. {@code -Dcold=N} rotates B over N
 * copies, so that a weight larger than the caches comes from memory on every call, as a model's weights do in training.
 * {@code -Dab=swap} times each product swapped (B packed as A) and not, alternating; {@code -Dab=pair} times
 * consecutive shapes against each other, alternating. {@code kernel} times the micro-kernel alone.
 */
public final class GemmBenchMain {

    /** The last tile's first element, so that the kernel's results are used. */
    @SuppressWarnings("unused")
    private static volatile float sink;

    private GemmBenchMain() {
    }

    public static void main(String[] args) {
        List<String> shapes = new ArrayList<>(Arrays.asList(args));
        if (shapes.isEmpty()) {
            shapes = List.of("256", "1024", "2048");
        }
        if (shapes.getFirst().startsWith("kernel")) {
            kernel(shapes.getFirst().equals("kernel") ? 256 : Integer.parseInt(shapes.getFirst().substring(7)));
            return;
        }
        if ("pair".equals(System.getProperty("ab"))) {
            for (int i = 0; i + 1 < shapes.size(); i += 2) {
                try (Product first = Product.of(shapes.get(i)); Product second = Product.of(shapes.get(i + 1))) {
                    pair(first, second);
                }
            }
            return;
        }
        for (String s : shapes) {
            try (Product p = Product.of(s)) {
                run(p);
            }
        }
    }

    /**
     * One product named by a shape argument, on operands allocated once (B rotating over {@code -Dcold} copies);
     * {@code call} runs it.
     */
    private record Product(String name, GemmSpec spec, DType bType, boolean drop, int firstRow, Runnable call,
                           Arena arena) implements AutoCloseable {
        static Product of(String s) {
            String[] parts = s.split(":");
            String[] d = parts[0].split("x");
            int m = Integer.parseInt(d[0]);
            int n = d.length > 1 ? Integer.parseInt(d[1]) : m;
            int k = d.length > 2 ? Integer.parseInt(d[2]) : m;
            String tr = parts.length > 1 ? parts[1].toUpperCase() : "NN";
            DType bt = parts.length > 2 ? DType.valueOf(parts[2].toUpperCase()) : DType.F32;
            boolean drop = parts.length > 3 && parts[3].startsWith("drop");
            int firstRow = drop && parts[3].startsWith("drop@") ? Integer.parseInt(parts[3].substring(5)) : 0;
            GemmSpec spec = GemmSpec.of(tr.charAt(0) == 'T', tr.charAt(1) == 'T', m, n, k, 1f, 0f);
            Arena arena = Arena.ofShared();
            MemorySegment a = random(arena, (long) m * k, 1);
            MemorySegment b32 = random(arena, (long) k * n, 2);
            MemorySegment b = b32;
            if (bt != DType.F32) {
                b = arena.allocate((long) k * n * 2, 64);
                new CpuBackend().convert(DType.F32, b32, bt, b, (long) k * n);
            }
            MemorySegment c = arena.allocate((long) m * n * Float.BYTES, 64);
            int copies = Integer.getInteger("cold", 1); // > 1: B rotates over that many copies, so it comes from DRAM
            MemorySegment[] bs = new MemorySegment[copies];
            bs[0] = b;
            for (int i = 1; i < copies; i++) {
                bs[i] = arena.allocate(b.byteSize(), 64).copyFrom(b);
            }
            int[] next = {0};
            WeightDropout wd = drop ? new WeightDropout(42, 0.1f, firstRow) : null;
            CpuBackend be = new CpuBackend();
            Runnable call = bt == DType.F32 && !drop
                    ? () -> CpuGemm.gemm(spec, a, bs[next[0]++ % copies], c)
                    : () -> be.gemmWeight(spec, a, bt, bs[next[0]++ % copies], wd, MemorySegment.NULL, c);
            return new Product(s, spec, bt, drop, firstRow, call, arena);
        }

        @Override
        public void close() {
            arena.close();
        }
    }

    private static void run(Product p) {
        GemmSpec spec = p.spec();
        Runnable product = p.call();
        long end = System.nanoTime() + 2_000_000_000L;
        for (int i = 0; i < 20 || System.nanoTime() < end; i++) {
            product.run();
        }
        if ("swap".equals(System.getProperty("ab"))) {
            alternate(spec, product, p.name());
            return;
        }
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long heap0 = threads.getTotalThreadAllocatedBytes();
        product.run();
        long heapPerCall = threads.getTotalThreadAllocatedBytes() - heap0;
        double[] t = new double[10];
        double[] cpu = new double[10];
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < t.length; i++) {
            long c0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            product.run();
            t[i] = (System.nanoTime() - t0) * 1e-9;
            cpu[i] = (mx.getCurrentThreadCpuTime() - c0) * 1e-9;
        }
        Arrays.sort(cpu);
        if (Parallel.threads() == 1) {
            System.out.printf("  cpu-time GFLOP/s (1 thread): median %.1f best %.1f%n",
                    spec.flops() / cpu[5] / 1e9, spec.flops() / cpu[0] / 1e9);
        }
        Arrays.sort(t);
        double med = (t[4] + t[5]) / 2;
        System.out.printf("{\"backend\": \"java-cpu\", \"m\": %d, \"n\": %d, \"k\": %d, \"trans\": \"%s%s\", \"b\": \"%s\", "
                        + "\"threads\": %d, \"gflops\": %.1f, \"median_ms\": %.3f, \"min_ms\": %.3f, \"max_ms\": %.3f, \"heap_kb_per_call\": %d}%n",
                spec.m(), spec.n(), spec.k(), spec.transA() ? "T" : "N", spec.transB() ? "T" : "N",
                p.bType() + (p.drop() ? "+dropout" + (p.firstRow() > 0 ? "@" + p.firstRow() : "") : ""),
                Parallel.threads(), spec.flops() / med / 1e9, med * 1e3, t[0] * 1e3, t[9] * 1e3, heapPerCall >> 10);
    }

    /**
     * {@code kernel} or {@code kernel:KC}: the 12-row micro-kernel alone ({@link GemmKernels#row12}) on panels that
     * stay in L1 (kc 256) or L2 (kc 2048), on one thread and on two at once: the rate the blocked product's other
     * work (packing, stores, waiting) is measured against. Medians of 5 rounds of 200,000 calls.
     */
    private static void kernel(int kc) {
        for (int threads = 1; threads <= 2; threads++) {
            double[] rates = new double[6];
            for (int round = 0; round < rates.length; round++) {
                double[] each = new double[threads];
                Thread[] ts = new Thread[threads];
                for (int i = 0; i < threads; i++) {
                    int t = i;
                    ts[i] = Thread.ofPlatform().start(() -> each[t] = kernelRate(kc, 200_000));
                }
                for (Thread t : ts) {
                    try {
                        t.join();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
                rates[round] = Arrays.stream(each).sum();
            }
            double[] timed = Arrays.copyOfRange(rates, 1, rates.length);   // the first round warms up
            Arrays.sort(timed);
            System.out.printf("{\"kernel\": \"row12\", \"kc\": %d, \"threads\": %d, \"gflops\": %.1f}%n", kc, threads,
                    timed[timed.length / 2]);
        }
    }

    /** GFLOP/s of {@code calls} micro-kernel calls on this thread's own panels. */
    private static double kernelRate(int kc, int calls) {
        float[] ap = new float[12 * GemmKernels.A_STRIDE + 16];
        float[] bp = new float[kc * GemmKernels.NR + 16];
        float[] tile = new float[16 * GemmKernels.NR];
        for (int i = 0; i < ap.length; i++) {
            ap[i] = 1f / (1 + i % 7);
        }
        for (int i = 0; i < bp.length; i++) {
            bp[i] = 1f / (1 + i % 5);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            GemmKernels.row12(ap, 0, bp, 0, kc, tile);
        }
        double s = (System.nanoTime() - t0) * 1e-9;
        sink = tile[0];
        return 2.0 * 12 * GemmKernels.NR * kc * calls / s / 1e9;
    }

    /**
     * {@code -Dab=pair}: two products (consecutive shape arguments, such as a layer's product and the same product
     * with its dropped generator rows stacked) alternating ABBA, 20 calls each after two seconds of both untimed;
     * prints both medians and the second's over the first's, so that a ratio is taken under the same load.
     */
    private static void pair(Product first, Product second) {
        long end = System.nanoTime() + 2_000_000_000L;
        for (int i = 0; i < 10 || System.nanoTime() < end; i++) {
            first.call().run();
            second.call().run();
        }
        double[][] t = new double[2][20];
        for (int i = 0; i < 40; i++) {
            int side = i % 4 == 0 || i % 4 == 3 ? 0 : 1;
            long t0 = System.nanoTime();
            (side == 0 ? first : second).call().run();
            t[side][i / 2] = (System.nanoTime() - t0) * 1e-9;
        }
        Arrays.sort(t[0]);
        Arrays.sort(t[1]);
        double a = (t[0][9] + t[0][10]) / 2;
        double b = (t[1][9] + t[1][10]) / 2;
        System.out.printf("{\"first\": \"%s\", \"second\": \"%s\", \"first_ms\": %.3f, \"second_ms\": %.3f, "
                + "\"ratio\": %.3f}%n", first.name(), second.name(), a * 1e3, b * 1e3, b / a);
    }

    /**
     * {@code -Dab=swap}: the product swapped ({@link CpuGemm#swaps}) and unswapped, alternating ABBA, 20 calls
     * each after both have run for two seconds; prints both medians and their ratio.
     */
    private static void alternate(GemmSpec spec, Runnable product, String shape) {
        // the caller warmed up the swapped side only
        CpuGemm.swaps = false;
        long end = System.nanoTime() + 2_000_000_000L;
        for (int i = 0; i < 10 || System.nanoTime() < end; i++) {
            product.run();
        }
        double[][] t = new double[2][20];
        for (int i = 0; i < 40; i++) {
            int side = i % 4 == 0 || i % 4 == 3 ? 0 : 1;
            CpuGemm.swaps = side == 0;
            long t0 = System.nanoTime();
            product.run();
            t[side][i / 2] = (System.nanoTime() - t0) * 1e-9;
        }
        CpuGemm.swaps = true;
        Arrays.sort(t[0]);
        Arrays.sort(t[1]);
        double swapped = (t[0][9] + t[0][10]) / 2;
        double asB = (t[1][9] + t[1][10]) / 2;
        System.out.printf("{\"shape\": \"%s\", \"swapped_ms\": %.3f, \"unswapped_ms\": %.3f, \"ratio\": %.3f, "
                + "\"gflops_swapped\": %.1f, \"gflops_unswapped\": %.1f}%n", shape, swapped * 1e3, asB * 1e3, swapped / asB,
                spec.flops() / swapped / 1e9, spec.flops() / asB / 1e9);
    }

    private static MemorySegment random(Arena arena, long count, long seed) {
        MemorySegment s = arena.allocate(count * Float.BYTES, 64);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (long i = 0; i < count; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) rnd.nextDouble());
        }
        return s;
    }
}
