package org.wegeft.kernels.cpu;

import static org.wegeft.kernels.cpu.GemmKernels.L;
import static org.wegeft.kernels.cpu.GemmKernels.NR;
import static org.wegeft.kernels.cpu.GemmKernels.S;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.GemmSpec;

/**
 * One column block (nc) of one product, shared out as units of (row block × column group) that the
 * calling thread and its helpers claim from a counter. A unit runs every k block for its rows, so the
 * k blocks of one C tile stay in order on one thread. B micro-panels (per k block) are packed once into the
 * shared buffer by the first thread that needs them. A split product's dropped rows come in units of their own,
 * claimed first: such a unit drops each plain panel into its thread's scratch just before reading it, so the dropped
 * panel never leaves that core's cache. A swapped product ({@link CpuGemm#weightAsA}, {@link CpuGemm#skinnyAsB})
 * writes C transposed; when its A is a weight, the dropped rows of W are packed beside the plain ones for the columns
 * that read drop(W).
 */
final class GemmJob {

    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final int MR = 12;
    /** Offsets of a tile column's elements from its first: row r at r·NR. */
    private static final int[] COLUMN = new int[L];

    static {
        for (int r = 0; r < L; r++) {
            COLUMN[r] = r * NR;
        }
    }

    private final GemmSpec spec;
    private final MemorySegment a;
    private final MemorySegment b;
    private final MemorySegment c;
    /** Added to every row of C on the first k block, or {@link MemorySegment#NULL}. */
    private final MemorySegment bias;
    private final boolean hasBias;
    /** Added to C on the first k block instead of beta·C (laid out like C), or {@link MemorySegment#NULL}. */
    private final MemorySegment addend;
    private final boolean hasAddend;
    /** How B is read when it is a weight in another dtype or with dropout; null for a plain float32 B. */
    private final @Nullable WeightRead weight;
    /**
     * Rows from here on read drop(B), the rows above the plain panels {@link #bp}: a product and its dropped twin in
     * one pass over B ({@link WeightRead#firstRow}); 0 when every row reads {@link #bp}.
     */
    private final int split;
    /** How the plain panels of a split product are read (the weight's dtype, no dropout). */
    private final @Nullable WeightRead plainWeight;
    /**
     * How A is read when it is a row-major weight (a product {@link CpuGemm#weightAsA} swapped; B is then plain
     * float32 and C is written transposed), or null.
     */
    private final @Nullable WeightRead aWeight;
    /** {@link #aWeight} without dropout, or null. */
    private final @Nullable WeightRead aPlain;
    /** Columns from here on read drop(A) ({@link CpuGemm#droppedFrom}, a multiple of NR); n when none does. */
    private final int aDropFrom;
    /** Whether C is written transposed (a swapped product: element (i, j) goes to C[j·ldc + i]). */
    private final boolean transposedC;
    /** Row blocks of the dropped rows (0 without a split): units 0 … lowerBlocks·colGroups − 1. */
    private final int lowerBlocks;
    /**
     * The activations' rows from the dropout's first row on, in a buffer of their own
     * ({@link CpuGemm#gemmWeightStacked}), or NULL: A's rows from {@link #split} on, or, swapped, B's columns from
     * {@link #aDropFrom} on; element 0 of that row at {@link #offLower}.
     */
    private final MemorySegment lowerRows;
    private final boolean hasLower;
    private final long offLower;
    /** A's edit, applied as A is packed ({@link CpuGemm#gemmEditedA}), or null. */
    private final @Nullable GemmEdit edit;
    private final long offA;
    private final long offB;
    private final long offC;
    private final int jc;
    private final int panels;
    private final int kBlocks;
    private final int kc;
    private final float[] bp;
    private final AtomicIntegerArray flags;
    private final int unitRows;
    private final int rowBlocks;
    private final int colGroups;
    private final int units;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger done = new AtomicInteger();
    private volatile Throwable failure;

    GemmJob(GemmSpec spec, MemorySegment a, MemorySegment b, MemorySegment c, MemorySegment bias,
            MemorySegment addend, @Nullable WeightRead weight, @Nullable WeightRead aWeight, boolean transposedC,
            long offA, long offB, long offC, int jc, int nb, int panels, int kBlocks, int kc, float[] bp, int split,
            AtomicIntegerArray flags, int unitRows, int rowBlocks, int colGroups, MemorySegment lower,
            long offLower, @Nullable GemmEdit edit) {
        this.spec = spec;
        this.a = a;
        this.b = b;
        this.c = c;
        this.bias = bias;
        this.hasBias = !bias.equals(MemorySegment.NULL);
        this.addend = addend;
        this.hasAddend = !addend.equals(MemorySegment.NULL);
        this.weight = weight;
        this.split = split;
        this.plainWeight = split > 0 && weight != null ? weight.plainRead() : null;
        this.lowerBlocks = split > 0 ? Math.ceilDiv(spec.m() - split, unitRows) : 0;
        if (split > 0 && (weight == null || !weight.drops())) {
            throw new IllegalArgumentException("a product split at row " + split + " needs a dropped weight read");
        }
        this.aWeight = aWeight;
        this.aPlain = aWeight == null ? null : aWeight.drops() ? aWeight.plainRead() : aWeight;
        this.aDropFrom = aWeight == null ? spec.n() : CpuGemm.droppedFrom(spec.n(), aWeight);
        this.transposedC = transposedC;
        if (aWeight != null && (!transposedC || weight != null || spec.transA()
                || aDropFrom < spec.n() && aDropFrom % NR != 0)) {
            throw new IllegalArgumentException("a weight read as A needs a swapped product, a plain B, a row-major A"
                    + " and dropped columns from a whole panel: " + spec);
        }
        if (transposedC && (hasBias || hasAddend)) {
            throw new IllegalArgumentException("a swapped product takes no bias or addend: " + spec);
        }
        this.offA = offA;
        this.offB = offB;
        this.offC = offC;
        this.jc = jc;
        this.panels = panels;
        this.kBlocks = kBlocks;
        this.kc = kc;
        this.bp = bp;
        this.flags = flags;
        this.unitRows = unitRows;
        this.rowBlocks = rowBlocks;
        this.colGroups = colGroups;
        this.units = rowBlocks * colGroups;
        this.lowerRows = lower;
        this.hasLower = !lower.equals(MemorySegment.NULL);
        this.offLower = offLower;
        this.edit = edit;
        if (edit != null && (spec.transA() || hasLower || split > 0 || transposedC || aWeight != null
                || spec.batch() != 1)) {
            throw new IllegalArgumentException("an edited A needs batch 1, a row-major A in one buffer and a product "
                    + "neither swapped nor split: " + spec);
        }
        if (hasLower && (spec.batch() != 1 || (transposedC ? aWeight == null || aDropFrom % NR != 0 || aDropFrom == 0
                || !spec.transB() : split == 0 || spec.transA()))) {
            throw new IllegalArgumentException("activations in two buffers need batch 1, a row-major layout and a "
                    + "split on a whole panel: " + spec);
        }
    }

    /** Claims and runs units until none is left; safe to call from any number of threads, late or not. */
    void work() {
        int u;
        while ((u = next.getAndIncrement()) < units) {
            try {
                if (failure == null) {
                    unit(u);
                }
            } catch (Throwable t) {
                if (failure == null) {
                    failure = t;
                }
            } finally {
                done.incrementAndGet();
            }
        }
    }

    /** Waits until every unit has run (helpers that never started hold none); rethrows a unit's failure. */
    void awaitDone() {
        int spins = 0;
        while (done.get() < units) {
            pause(++spins);
        }
        Throwable t = failure;
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException("GEMM failed", t);
        }
    }

    /**
     * One step of a wait loop: mostly a spin hint, but a yield every 32 steps (about a microsecond), so a
     * waiting thread never holds a core that the thread it waits for needs, as on a loaded machine.
     */
    static void pause(int spins) {
        if ((spins & 31) == 0) {
            Thread.yield();
        } else {
            Thread.onSpinWait();
        }
    }

    private void unit(int u) {
        int rb = u / colGroups;
        int cg = u % colGroups;
        // row blocks below the split first, then above it (a block never straddles it)
        boolean lower = rb < lowerBlocks;
        int r0 = lower ? split + rb * unitRows : (rb - lowerBlocks) * unitRows;
        int rows = Math.min(unitRows, (lower || split == 0 ? spec.m() : split) - r0);
        int p0 = (int) ((long) panels * cg / colGroups);
        int span = (int) ((long) panels * (cg + 1) / colGroups) - p0;
        // neighbouring units start on different panels, so threads pack different ones at first
        int start = colGroups == 1 ? (int) ((long) span * (rb & 1) / 2) : 0;
        GemmWorkspace ws = GemmWorkspace.get();
        float[] tile = ws.tile;
        float[] dropped = lower ? ws.dropped((long) kc * NR) : bp;
        boolean rowLayout = !spec.transA();
        int panelsA = Math.ceilDiv(rows, MR);
        float[] ap = ws.a(rowLayout ? (Math.ceilDiv(panelsA, sharing(kc)) * MR * GemmKernels.A_STRIDE + L)
                : (rows + MR) * kc + L);
        int k = spec.k();
        // a swapped product's columns from aDropFrom on read drop(A), packed beside A when the unit reaches them;
        // plain A only when the unit has columns before them
        boolean dropsA = aWeight != null && aDropFrom < jc + Math.min(spec.n() - jc, (p0 + span) * NR);
        boolean plainA = aWeight == null || jc + p0 * NR < aDropFrom;
        float[] apDropped = dropsA ? ws.dropped(ap.length) : ap;
        boolean fromLower = lower && hasLower;
        for (int q = 0; q < kBlocks; q++) {
            int pc = q * kc;
            int kcq = Math.min(kc, k - pc);
            long bBase = (long) pc * panels * NR;
            if (plainA) {
                packA(ap, r0, rows, pc, kcq, aPlain, fromLower);
            }
            if (dropsA) {
                packA(apDropped, r0, rows, pc, kcq, aWeight, fromLower);
            }
            for (int i = 0; i < span; i++) {
                int jr = p0 + (start + i) % span;
                ensurePacked(q, jr, pc, kcq, bBase, ws.wide);
                int bOff = (int) (bBase + (long) jr * kcq * NR);
                int j = jc + jr * NR;
                int cols = Math.min(NR, spec.n() - j);
                float[] aPanels = j >= aDropFrom ? apDropped : ap;
                float[] panel = bp;
                WeightRead w = weight;
                if (lower && w != null) {
                    WeightPacking.dropPanel(spec, w, offB, pc, kcq, j, cols, bp, bOff, dropped, 0);
                    panel = dropped;
                    bOff = 0;
                }
                int colOff = 0;
                for (int ir = 0; ir < rows; ir += MR) {
                    int mr = Math.min(MR, rows - ir);
                    int kr = CpuGemm.kernelRows(mr);
                    int aOff = rowLayout ? rowPanelOffset(ir / MR, kcq) : colOff;
                    GemmKernels.run(rowLayout, kr, aPanels, aOff, panel, bOff, kcq, tile);
                    if (transposedC) {
                        storeTileTransposed(tile, mr, cols, r0 + ir, j, q == 0);
                    } else {
                        storeTile(tile, mr, cols, offC + (long) (r0 + ir) * spec.ldc() + j, j, q == 0);
                    }
                    colOff += kr * kcq;
                }
            }
        }
    }

    /** Packs B micro-panel jr of k block q unless another thread has; {@code wide}: the calling thread's scratch. */
    private void ensurePacked(int q, int jr, int pc, int kcq, long bBase, MemorySegment wide) {
        int f = q * panels + jr;
        if (flags.get(f) == GemmWorkspace.READY) {
            return;
        }
        if (flags.compareAndSet(f, GemmWorkspace.FREE, GemmWorkspace.PACKING)) {
            int j = jc + jr * NR;
            try {
                int cols = Math.min(NR, spec.n() - j);
                int dst = (int) (bBase + (long) jr * kcq * NR);
                if (weight == null && hasLower && j >= aDropFrom) {
                    GemmPacking.packB(spec, lowerRows, offLower, pc, kcq, j - aDropFrom, cols, bp, dst);
                } else if (weight == null) {
                    GemmPacking.packB(spec, b, offB, pc, kcq, j, cols, bp, dst);
                } else if (plainWeight != null) {
                    WeightPacking.packB(spec, plainWeight, b, offB, pc, kcq, j, cols, bp, dst, wide);
                } else {
                    WeightPacking.packB(spec, weight, b, offB, pc, kcq, j, cols, bp, dst, wide);
                }
            } catch (Throwable t) {
                if (failure == null) {
                    failure = t;
                }
                throw t;
            } finally {
                flags.set(f, GemmWorkspace.READY);
            }
            return;
        }
        int spins = 0;
        while (flags.get(f) != GemmWorkspace.READY) {
            if (failure != null) {
                throw new IllegalStateException("GEMM aborted after a failure in another thread");
            }
            pause(++spins);
        }
    }

    /**
     * Packs the unit's A block; {@code w} reads a weight A (null for plain float32). {@code fromLower}: the block
     * lies below the split and its rows come from {@link #lowerRows}.
     */
    private void packA(float[] ap, int r0, int rows, int pc, int kcq, @Nullable WeightRead w, boolean fromLower) {
        if (w != null) {
            for (int ir = 0; ir < rows; ir += MR) {
                WeightPacking.packRowsA(spec, w, a, offA, r0 + ir, Math.min(MR, rows - ir), pc, kcq, ap,
                        rowPanelOffset(ir / MR, kcq), GemmKernels.A_STRIDE);
            }
            return;
        }
        if (spec.transA()) {
            GemmPacking.packBlockTransA(spec, a, offA, r0, rows, pc, kcq, ap);
            return;
        }
        if (edit != null) {
            edit.packA(spec, a, offA, r0, rows, pc, kcq, ap);
            return;
        }
        MemorySegment src = fromLower ? lowerRows : a;
        long off = fromLower ? offLower : offA;
        int first = fromLower ? r0 - split : r0;
        for (int ir = 0; ir < rows; ir += MR) {
            GemmPacking.packA(spec, src, off, first + ir, Math.min(MR, rows - ir), pc, kcq, ap,
                    rowPanelOffset(ir / MR, kcq), GemmKernels.A_STRIDE);
        }
    }

    /**
     * How many row-major A micro-panels of inner size kc share one block of MR rows of {@link GemmKernels#A_STRIDE}
     * floats, side by side: the row stride stays the kernels' constant while a short kc (attention's 64, an
     * adapter's 16) does not leave most of each row empty.
     */
    private static int sharing(int kc) {
        return Math.max(1, GemmKernels.A_STRIDE / slot(kc));
    }

    /** Floats of a row that one such micro-panel takes: kc rounded up to a cache line. */
    private static int slot(int kc) {
        return Math.ceilDiv(kc, 16) * 16;
    }

    /** Where row-major A micro-panel i of a block (inner size kc) starts in the packed buffer. */
    static int rowPanelOffset(int i, int kc) {
        int g = sharing(kc);
        return i / g * MR * GemmKernels.A_STRIDE + i % g * slot(kc);
    }

    /**
     * Merges a rows×cols tile into C at element cIdx: C = alpha·tile + beta·C (+ bias[col0 ...] when there is one) on
     * the first k block, or C = alpha·tile + D with an addend; later k blocks C += alpha·tile.
     */
    private void storeTile(float[] tile, int rows, int cols, long cIdx, int col0, boolean first) {
        if (first && hasBias) {
            storeTileBias(tile, rows, cols, cIdx, col0);
            return;
        }
        float alpha = spec.alpha();
        // an addend is read as C with beta = 1 would be: the same bits as copying D into C first
        boolean fromD = first && hasAddend;
        MemorySegment src = fromD ? addend : c;
        float beta = fromD ? 1f : first ? spec.beta() : 1f;
        long ldc = spec.ldc();
        for (int r = 0; r < rows; r++) {
            long rowByte = (cIdx + r * ldc) * Float.BYTES;
            for (int j = 0; j < cols; j += L) {
                if (cols - j >= L) {
                    FloatVector t = FloatVector.fromArray(S, tile, r * NR + j).mul(alpha);
                    if (beta != 0f) {
                        FloatVector old = FloatVector.fromMemorySegment(S, src, rowByte + j * 4L, NATIVE);
                        t = beta == 1f ? t.add(old) : old.mul(beta).add(t);
                    }
                    t.intoMemorySegment(c, rowByte + j * 4L, NATIVE);
                } else {
                    long at = rowByte / Float.BYTES;
                    for (int jj = j; jj < cols; jj++) {
                        float v = alpha * tile[r * NR + jj];
                        if (beta != 0f) {
                            float old = src.getAtIndex(F, at + jj);
                            v = beta == 1f ? v + old : beta * old + v;
                        }
                        c.setAtIndex(F, at + jj, v);
                    }
                }
            }
        }
    }

    /**
     * {@link #storeTile} for a swapped product (no bias or addend): element (row0 + r, col0 + j) of the product goes
     * to C[(col0 + j)·ldc + row0 + r], with {@link #storeTile}'s arithmetic.
     */
    private void storeTileTransposed(float[] tile, int rows, int cols, int row0, int col0, boolean first) {
        float alpha = spec.alpha();
        float beta = first ? spec.beta() : 1f;
        long ldc = spec.ldc();
        // column j of the tile, gathered (its rows NR floats apart), is a run of `rows` floats of C
        for (int r = 0; r < rows; r += L) {
            VectorMask<Float> m = S.indexInRange(r, rows);
            for (int j = 0; j < cols; j++) {
                long at = (offC + (long) (col0 + j) * ldc + row0 + r) * Float.BYTES;
                FloatVector t = FloatVector.fromArray(S, tile, r * NR + j, COLUMN, 0, m).mul(alpha);
                if (beta != 0f) {
                    FloatVector old = FloatVector.fromMemorySegment(S, c, at, NATIVE, m);
                    t = beta == 1f ? t.add(old) : old.mul(beta).add(t);
                }
                t.intoMemorySegment(c, at, NATIVE, m);
            }
        }
    }

    /** First k block with a bias (beta is 0): C = alpha·tile + bias[col0 + j]. */
    private void storeTileBias(float[] tile, int rows, int cols, long cIdx, int col0) {
        float alpha = spec.alpha();
        long ldc = spec.ldc();
        for (int r = 0; r < rows; r++) {
            long rowByte = (cIdx + r * ldc) * Float.BYTES;
            for (int j = 0; j < cols; j += L) {
                if (cols - j >= L) {
                    FloatVector bv = FloatVector.fromMemorySegment(S, bias, (long) (col0 + j) * Float.BYTES, NATIVE);
                    // alpha·tile, then + bias: the same two roundings as broadcasting the bias and adding with beta = 1
                    FloatVector.fromArray(S, tile, r * NR + j).mul(alpha).add(bv)
                            .intoMemorySegment(c, rowByte + j * 4L, NATIVE);
                } else {
                    long at = rowByte / Float.BYTES;
                    for (int jj = j; jj < cols; jj++) {
                        c.setAtIndex(F, at + jj, alpha * tile[r * NR + jj] + bias.getAtIndex(F, col0 + jj));
                    }
                }
            }
        }
    }
}
