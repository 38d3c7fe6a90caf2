package org.wegeft.kernels.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.wegeft.kernels.KernelBackend;
import org.wegeft.kernels.UnaryOp;

/**
 * On-demand check (not a test) that the CPU backend's transcendental kernels compile to vector code: times each
 * kernel on ViT-S/16-sized inputs after warm-up and prints the Java heap it allocates per call, which should be
 * about zero (heap allocation inside a kernel means boxed vectors: C2 gave up inlining part of the loop).
 *
 * <pre>java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes \
 *     org.wegeft.kernels.cpu.KernelAllocMain</pre>
 */
public final class KernelAllocMain {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private KernelAllocMain() {
    }

    public static void main(String[] args) {
        KernelBackend be = new CpuBackend();
        Arena arena = Arena.ofShared();
        int n = 1576 * 1536;
        MemorySegment x = random(arena, n, 1);
        MemorySegment dy = random(arena, n, 2);
        MemorySegment y = arena.allocate((long) n * 4, 64);
        String only = args.length > 0 ? args[0] : "";
        for (UnaryOp op : new UnaryOp[] {UnaryOp.GELU_ERF, UnaryOp.GELU_TANH, UnaryOp.SILU, UnaryOp.EXP,
                UnaryOp.TANH, UnaryOp.SIGMOID}) {
            if (!op.name().startsWith(only)) {
                continue;
            }
            run("unary " + op, () -> be.unary(op, x, y, n));
            run("unaryBackward " + op, () -> be.unaryBackward(op, x, dy, y, n));
        }
        if (!only.isEmpty()) {
            return;
        }
        int bh = 48;
        int t = 197;
        int d = 64;
        long qkv = (long) bh * t * d;
        MemorySegment q = random(arena, qkv, 3);
        MemorySegment k = random(arena, qkv, 4);
        MemorySegment v = random(arena, qkv, 5);
        MemorySegment o = arena.allocate(qkv * 4, 64);
        MemorySegment lse = arena.allocate((long) bh * t * 4, 64);
        MemorySegment dout = random(arena, qkv, 6);
        MemorySegment dq = arena.allocate(qkv * 4, 64);
        MemorySegment dk = arena.allocate(qkv * 4, 64);
        MemorySegment dv = arena.allocate(qkv * 4, 64);
        float scale = 0.125f;
        run("attention 48x197x197x64", () -> be.attention(q, k, v, o, lse, bh, t, t, d, scale, false));
        run("attentionBackward 48x197x197x64",
                () -> be.attentionBackward(q, k, v, o, lse, dout, dq, dk, dv, bh, t, t, d, scale, false));
        run("attention causal 32x256", () -> be.attention(q, k, v, o, lse, 32, 256, 256, 64, scale, true));
        run("attentionBackward causal 32x256",
                () -> be.attentionBackward(q, k, v, o, lse, dout, dq, dk, dv, 32, 256, 256, 64, scale, true));
        run("softmax 1576x197", () -> be.softmax(x, y, 48 * 197, 197, false, 197));
        MemorySegment gamma = random(arena, 384, 7);
        MemorySegment beta = random(arena, 384, 8);
        MemorySegment mean = arena.allocate(1576 * 4 * 4, 64);
        MemorySegment rstd = arena.allocate(1576 * 4 * 4, 64);
        MemorySegment dg = arena.allocate(512 * 4, 64);
        MemorySegment db = arena.allocate(512 * 4, 64);
        run("layerNorm 1576x384", () -> be.layerNorm(x, gamma, beta, y, mean, rstd, 1576, 384, 1e-6f));
        run("layerNormBackward 1576x384",
                () -> be.layerNormBackward(x, gamma, mean, rstd, dy, y, dg, db, 1576, 384));
        MemorySegment w = random(arena, 512, 9);
        run("rmsNorm 1024x512", () -> be.rmsNorm(x, w, y, rstd, 1024, 512, 1e-6f));
        run("rmsNormBackward 1024x512", () -> be.rmsNormBackward(x, w, rstd, dy, y, dg, 1024, 512));
    }

    private static void run(String what, Runnable r) {
        long end = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < end) {
            r.run();
        }
        int reps = 20;
        long h0 = THREADS.getTotalThreadAllocatedBytes();
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            r.run();
        }
        double ms = (System.nanoTime() - t0) / 1e6 / reps;
        double heap = (THREADS.getTotalThreadAllocatedBytes() - h0) / (double) reps;
        System.out.printf("%-36s %8.3f ms/call %12.0f heap bytes/call%n", what, ms, heap);
    }

    private static MemorySegment random(Arena arena, long n, long seed) {
        MemorySegment m = arena.allocate(n * 4, 64);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) {
            m.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (r.nextDouble() * 2 - 1));
        }
        return m;
    }
}
