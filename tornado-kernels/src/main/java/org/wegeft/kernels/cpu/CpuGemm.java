package org.wegeft.kernels.cpu;

import static org.wegeft.kernels.cpu.GemmKernels.L;
import static org.wegeft.kernels.cpu.GemmKernels.NR;
import static org.wegeft.kernels.cpu.GemmKernels.S;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicIntegerArray;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import org.wegeft.kernels.GemmSpec;
import org.wegeft.kernels.Parallel;

/**
 * Float32 GEMM of the CPU backend: {@code KernelBackend.gemm}'s contract in pure Java (Vector API).
 *
 * <p>GotoBLAS/BLIS structure. For each block of {@code nc} columns and each block of {@code kc} of the inner
 * dimension, op(B) is packed into k-major micro-panels of NR columns and op(A) into micro-panels of up to 12
 * rows; packing absorbs transposes and leading dimensions, so the micro-kernels ({@link GemmKernels}) see one
 * layout. Loops, outermost first:
 * <pre>
 *   jc (nc columns of C)       B block kc×nc stays in L3, shared by the threads
 *     pc (kc of K)
 *       ic (mc rows, per thread)  A block mc×kc packed per thread, stays in L2
 *         jr (NR columns)         B micro-panel kc×NR stays in L1
 *           ir (12 rows)          micro-kernel → tile → C (alpha, beta applied here)
 * </pre>
 * Threads split the rows of C (or its columns when C is short) and share the packed B: a B micro-panel is
 * packed by whichever thread claims it first (each thread first claims its own share), and a thread that needs
 * a panel another thread is packing waits for it; nothing ever waits for a thread that has not started, so the
 * scheme cannot deadlock when the pool runs the tasks one after another. Batches of small products are split
 * over the batch instead. Packed buffers are per-thread arrays reused across calls ({@link GemmWorkspace}).
 */
public final class CpuGemm {

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** Rows of the main micro-kernel. */
    private static final int MR = 12;
    /** Largest inner-dimension block: a kc×NR B micro-panel (32 KB) stays in a 48 KB L1. */
    private static final int KC = 256;
    /** Largest row block per thread: an mc×kc A block (≤ 192 KB) stays in L2. */
    private static final int MC = 192;
    /** Largest packed B block, in floats (16 MB; fits a shared L3). */
    private static final int B_BLOCK = 4 << 20;
    /** Products smaller than this (m·n·k) run on the calling thread. */
    private static final long THREADING_WORK = 1L << 18;
    /** Batched products smaller than this (m·n·k each) are split over the batch. */
    private static final long BATCH_SPLIT_WORK = 1L << 22;

    private CpuGemm() {
    }

    /** {@code C_b = alpha·op(A_b)·op(B_b) + beta·C_b} for every b in the batch; see KernelBackend.gemm. */
    public static void gemm(GemmSpec spec, MemorySegment a, MemorySegment b, MemorySegment c) {
        int m = spec.m();
        int n = spec.n();
        if (m == 0 || n == 0) {
            return;
        }
        if (spec.k() == 0 || spec.alpha() == 0f) {
            for (int bi = 0; bi < spec.batch(); bi++) {
                scaleC(spec, c, bi * spec.strideC());
            }
            return;
        }
        long work = (long) m * n * spec.k();
        // segments of a confined arena can only be touched by their owner thread
        int threads = shareable(a) && shareable(b) && shareable(c) ? Parallel.threads() : 1;
        int batch = spec.batch();
        if (batch > 1 && threads > 1
                && (work < BATCH_SPLIT_WORK || batch % threads == 0 || batch >= 4 * threads)) {
            Parallel.forRange(batch, 1, (from, to) -> {
                for (int bi = from; bi < to; bi++) {
                    product(spec, a, b, c, bi, 1);
                }
            });
            return;
        }
        int tasks = work < THREADING_WORK ? 1 : threads;
        for (int bi = 0; bi < batch; bi++) {
            product(spec, a, b, c, bi, tasks);
        }
    }

    /** One product of the batch, on {@code tasks} threads. */
    private static void product(GemmSpec spec, MemorySegment a, MemorySegment b, MemorySegment c, int bi,
                                int tasks) {
        int m = spec.m();
        int n = spec.n();
        int k = spec.k();
        int kBlocks = Math.ceilDiv(k, KC);
        int kc = Math.ceilDiv(k, kBlocks);
        int ncMax = Math.max(NR, B_BLOCK / k / NR * NR);
        GemmWorkspace ws = GemmWorkspace.get();
        // split the rows when there are enough of them for every thread, else the columns
        boolean splitRows = m >= tasks * 4 * MR || n < tasks * NR;
        for (int jc = 0; jc < n; jc += ncMax) {
            int nb = Math.min(ncMax, n - jc);
            int panels = Math.ceilDiv(nb, NR);
            Job job = new Job(spec, a, b, c, bi * spec.strideA(), bi * spec.strideB(), bi * spec.strideC(),
                    jc, nb, panels, kBlocks, kc, ws.b((long) k * panels * NR), ws.flags(kBlocks * panels),
                    tasks, splitRows);
            if (tasks == 1) {
                job.run(0);
            } else {
                Parallel.forTasks(tasks, (from, to) -> {
                    for (int t = from; t < to; t++) {
                        job.run(t);
                    }
                });
            }
        }
    }

    /** One nc block of one product: the shared state of its tasks. */
    private record Job(GemmSpec spec, MemorySegment a, MemorySegment b, MemorySegment c, long offA, long offB,
                       long offC, int jc, int nb, int panels, int kBlocks, int kc, float[] bp,
                       AtomicIntegerArray flags, int tasks, boolean splitRows) {

        /** Task t of tasks. */
        void run(int t) {
            int m = spec.m();
            int k = spec.k();
            int r0 = 0;
            int r1 = m;
            int p0 = 0;
            int p1 = panels;
            if (splitRows) {
                r0 = split(m, t, tasks);
                r1 = split(m, t + 1, tasks);
            } else {
                p0 = (int) ((long) panels * t / tasks);
                p1 = (int) ((long) panels * (t + 1) / tasks);
            }
            if (r0 >= r1 || p0 >= p1) {
                return;
            }
            // the share of B panels this task packs first
            int s0 = splitRows ? (int) ((long) panels * t / tasks) : p0;
            int s1 = splitRows ? (int) ((long) panels * (t + 1) / tasks) : p1;
            GemmWorkspace ws = GemmWorkspace.get();
            float[] tile = ws.tile;
            float[] ap = ws.a(Math.min(MC + MR, r1 - r0 + MR) * kc);
            boolean rowLayout = !spec.transA();
            for (int q = 0; q < kBlocks; q++) {
                int pc = q * kc;
                int kcq = Math.min(kc, k - pc);
                long bBase = (long) pc * panels * NR;
                for (int jr = s0; jr < s1; jr++) {
                    ensurePacked(q, jr, pc, kcq, bBase);
                }
                for (int ic = r0; ic < r1; ic += MC) {
                    int mcq = Math.min(MC, r1 - ic);
                    packA(ap, ic, mcq, pc, kcq);
                    int span = p1 - p0;
                    for (int i = 0; i < span; i++) {
                        int jr = p0 + (s0 - p0 + i) % span;
                        ensurePacked(q, jr, pc, kcq, bBase);
                        int bOff = (int) (bBase + (long) jr * kcq * NR);
                        int j = jc + jr * NR;
                        int cols = Math.min(NR, spec.n() - j);
                        int aOff = 0;
                        for (int ir = 0; ir < mcq; ir += MR) {
                            int rows = Math.min(MR, mcq - ir);
                            int kr = kernelRows(rows);
                            GemmKernels.run(rowLayout, kr, ap, aOff, bp, bOff, kcq, tile);
                            storeTile(tile, rows, cols, offC + (long) (ic + ir) * spec.ldc() + j, q == 0);
                            aOff += kr * kcq;
                        }
                    }
                }
            }
        }

        private void ensurePacked(int q, int jr, int pc, int kcq, long bBase) {
            int f = q * panels + jr;
            if (flags.get(f) == GemmWorkspace.READY) {
                return;
            }
            if (flags.compareAndSet(f, GemmWorkspace.FREE, GemmWorkspace.PACKING)) {
                int j = jc + jr * NR;
                GemmPacking.packB(spec, b, offB, pc, kcq, j, Math.min(NR, spec.n() - j), bp,
                        (int) (bBase + (long) jr * kcq * NR));
                flags.set(f, GemmWorkspace.READY);
                return;
            }
            while (flags.get(f) != GemmWorkspace.READY) {
                Thread.onSpinWait();
            }
        }

        private void packA(float[] ap, int ic, int mcq, int pc, int kcq) {
            int aOff = 0;
            for (int ir = 0; ir < mcq; ir += MR) {
                int rows = Math.min(MR, mcq - ir);
                int kr = kernelRows(rows);
                GemmPacking.packA(spec, a, offA, ic + ir, rows, kr, pc, kcq, ap, aOff);
                aOff += kr * kcq;
            }
        }

        /** Merges a rows×cols tile into C at element cIdx: C = alpha·tile + beta·C on the first k block, else C += alpha·tile. */
        private void storeTile(float[] tile, int rows, int cols, long cIdx, boolean first) {
            float alpha = spec.alpha();
            float beta = first ? spec.beta() : 1f;
            long ldc = spec.ldc();
            for (int r = 0; r < rows; r++) {
                long rowByte = (cIdx + r * ldc) * Float.BYTES;
                for (int j = 0; j < cols; j += L) {
                    FloatVector t = FloatVector.fromArray(S, tile, r * NR + j).mul(alpha);
                    if (cols - j >= L) {
                        if (beta != 0f) {
                            FloatVector old = FloatVector.fromMemorySegment(S, c, rowByte + j * 4L, NATIVE);
                            t = beta == 1f ? t.add(old) : old.mul(beta).add(t);
                        }
                        t.intoMemorySegment(c, rowByte + j * 4L, NATIVE);
                    } else {
                        VectorMask<Float> mask = S.indexInRange(j, cols);
                        if (beta != 0f) {
                            FloatVector old = FloatVector.fromMemorySegment(S, c, rowByte + j * 4L, NATIVE, mask);
                            t = beta == 1f ? t.add(old) : old.mul(beta).add(t);
                        }
                        t.intoMemorySegment(c, rowByte + j * 4L, NATIVE, mask);
                    }
                }
            }
        }
    }

    /** An unstarted thread: a segment it may access is not confined to the calling thread. */
    private static final Thread OTHER = Thread.ofPlatform().unstarted(() -> { });

    private static boolean shareable(MemorySegment s) {
        return s.isAccessibleBy(OTHER);
    }

    /** Row boundary t of tasks, rounded to a multiple of 4 rows. */
    private static int split(int m, int t, int tasks) {
        if (t >= tasks) {
            return m;
        }
        return Math.min(m, (int) ((long) m * t / tasks + 2) / 4 * 4);
    }

    /** Kernel height (12, 8 or 4) for a micro-panel of the given number of valid rows. */
    static int kernelRows(int rows) {
        return rows > 8 ? 12 : rows > 4 ? 8 : 4;
    }

    /** C = beta·C (beta == 0 writes zeros without reading C): the whole result when k == 0 or alpha == 0. */
    private static void scaleC(GemmSpec spec, MemorySegment c, long offC) {
        float beta = spec.beta();
        for (int i = 0; i < spec.m(); i++) {
            long row = offC + (long) i * spec.ldc();
            for (int j = 0; j < spec.n(); j++) {
                c.setAtIndex(F, row + j, beta == 0f ? 0f : beta * c.getAtIndex(F, row + j));
            }
        }
    }
}
