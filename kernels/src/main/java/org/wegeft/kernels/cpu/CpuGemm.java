package org.wegeft.kernels.cpu;

import static org.wegeft.kernels.cpu.GemmKernels.NR;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.GemmSpec;
import org.wegeft.kernels.Parallel;

/**
 * Float32 GEMM of the CPU backend: {@code KernelBackend.gemm}'s contract in pure Java (Vector API).
 *
 * <p>GotoBLAS/BLIS structure. op(B) is packed into k-major micro-panels of NR (two vectors) columns per
 * block of kc of the inner dimension, op(A) into micro-panels of 12 rows; packing absorbs transposes and
 * leading dimensions, so the register-blocked micro-kernels ({@link GemmKernels}) see one layout. Loops,
 * outermost first:
 * <pre>
 *   jc   nc columns of C           packed B block k×nc (≤ 16 MB, L3), shared by all threads
 *   unit rows × column group of C  claimed dynamically by the caller and its helper threads
 *     pc   kc of K (≤ 2048)        A block (unit rows × kc) packed by the unit's thread (L2/L3)
 *       jr   NR columns            B micro-panel kc×NR, packed once by the first thread needing it, in L2
 *         ir   12 rows             micro-kernel → tile → C (alpha, and beta on the first k block)
 * </pre>
 * A deep product whose B block would not hold all of n (k > n, as an LM head's input gradient) is split along k
 * instead of n, so A is read once. A layer's forward against a transposed frozen weight with few rows, and a
 * float32 product against a much wider transposed B, run swapped, B packed as A ({@link #weightAsA},
 * {@link #skinnyAsB}).
 *
 * <p>Work units, not fixed per-thread shares: the caller starts working at once and a helper that wakes late
 * only finds fewer units left, so a slow thread wake-up (or a busy core) costs at most a unit, never the whole
 * split; helpers linger briefly between products ({@link GemmHelpers}). Nothing ever waits for a thread that
 * has not started, so the scheme cannot deadlock when the pool is busy. Batches of small products are split
 * over the batch instead; products under ~64³ run on the calling thread. Packed buffers are per-thread arrays
 * reused across calls ({@link GemmWorkspace}). {@code alpha == 0} or {@code k == 0} reads neither A nor B
 * (BLAS semantics). Products whose whole result is at most 16 rows by one vector go to {@link GemmSkinny}'s direct
 * kernel instead, and products of at most four rows against a transposed B (decoding) to {@link GemmVector}'s, which
 * reads B once in place; a low-rank adapter's products (one dimension r) stay here.
 */
public final class CpuGemm {

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** A plain float32 B, for kernels that read B through a {@link WeightRead}. */
    private static final WeightRead PLAIN = WeightRead.of(DType.F32, null);
    /** Rows of the main micro-kernel. */
    private static final int MR = 12;
    /** Largest inner-dimension block ({@link GemmKernels#KC}). */
    private static final int KC = GemmKernels.KC;
    /** Largest row block of a work unit: 24 micro-panels of 12 rows share each B micro-panel while it is in L2. */
    private static final int MC = Math.max(MR, Integer.getInteger("wegeft.gemm.mc", 288));
    /** Largest packed B block, in floats (16 MB; fits a shared L3). */
    private static final int B_BLOCK = Integer.getInteger("wegeft.gemm.bblock", 4 << 20);
    /** Packed B sizes (floats) up to this stay in L2 between units. */
    private static final long B_IN_L2 = 128 << 10;
    /** Products smaller than this (m·n·k) run on the calling thread. */
    private static final long THREADING_WORK = 1L << 18;
    /** Batched products smaller than this (m·n·k each) are split over the batch. */
    private static final long BATCH_SPLIT_WORK = 1L << 22;

    private CpuGemm() {
    }

    /** {@code C_b = alpha·op(A_b)·op(B_b) + beta·C_b} for every b in the batch; see KernelBackend.gemm. */
    public static void gemm(GemmSpec spec, MemorySegment a, MemorySegment b, MemorySegment c) {
        gemm(spec, a, MemorySegment.NULL, b, c, MemorySegment.NULL, MemorySegment.NULL, null, Parallel.threads());
    }

    /**
     * Whether the blocked kernel takes a product whose B is read through a {@link WeightRead} (with a bias only when
     * beta = 0): any non-empty product with k &gt; 0 and alpha ≠ 0 that {@link GemmSkinny} does not take.
     */
    static boolean takesWeight(GemmSpec spec, boolean hasBias) {
        return !GemmSkinny.takes(spec) && spec.k() > 0 && spec.alpha() != 0f && spec.m() > 0 && spec.n() > 0
                && (!hasBias || spec.beta() == 0f);
    }

    /**
     * {@link #gemm} (with a bias added in the tiles' store, or {@link MemorySegment#NULL}) whose B is widened and
     * dropped as it is packed ({@link WeightPacking}); the product must be one {@link #takesWeight} takes.
     */
    static void gemmWeight(GemmSpec spec, MemorySegment a, WeightRead w, MemorySegment b, MemorySegment bias,
                           MemorySegment c) {
        if (!takesWeight(spec, !bias.equals(MemorySegment.NULL))) {
            throw new IllegalArgumentException("gemmWeight: not a blocked product: " + spec);
        }
        gemm(spec, a, MemorySegment.NULL, b, c, bias, MemorySegment.NULL, w, Parallel.threads());
    }

    /**
     * {@link #gemmWeight} whose A rows from the dropout's first row on ({@link WeightRead#firstRow}, inside A) are
     * {@code lower}, laid out as A's: each row range is packed from its own buffer, one pass over B (see
     * {@code KernelBackend.gemmWeightStacked}). Batch 1, A not transposed. The same bits as one A holding both.
     */
    static void gemmWeightStacked(GemmSpec spec, MemorySegment a, MemorySegment lower, WeightRead w, MemorySegment b,
                                  MemorySegment bias, MemorySegment c) {
        if (!w.drops() || !takesStacked(spec, !bias.equals(MemorySegment.NULL), w.firstRow())) {
            throw new IllegalArgumentException("gemmWeightStacked: not a blocked product of batch 1 with A's rows "
                    + "split by the dropout: " + spec);
        }
        gemm(spec, a, lower, b, c, bias, MemorySegment.NULL, w, Parallel.threads());
    }

    /**
     * Whether the blocked kernel takes a product whose A rows from {@code split} on are a buffer of their own
     * ({@link #gemmWeightStacked}): one {@link #takesWeight} takes, of batch 1, A not transposed, split inside A, and
     * not one for the decoding kernel.
     */
    static boolean takesStacked(GemmSpec spec, boolean hasBias, int split) {
        return spec.batch() == 1 && !spec.transA() && split > 0 && split < spec.m() && takesWeight(spec, hasBias)
                && !GemmVector.takes(spec);
    }

    /**
     * Whether the blocked kernel can add a bias or an addend in its tile store for this product: beta = 0, a
     * non-empty product with k &gt; 0 and alpha ≠ 0, and not one {@link GemmSkinny#takes}. Other products take
     * the SPI's default (a copy first, then the product with beta = 1).
     */
    static boolean fusesStore(GemmSpec spec) {
        return spec.beta() == 0f && !GemmSkinny.takes(spec) && spec.k() > 0 && spec.alpha() != 0f && spec.m() > 0
                && spec.n() > 0;
    }

    /**
     * {@link #gemm} with a bias added to every row of C in the tiles' store (the product must be one
     * {@link #fusesStore} takes; see {@code CpuBackend.gemmBias}). {@code bias} is {@link MemorySegment#NULL} for
     * none.
     */
    static void gemmBias(GemmSpec spec, MemorySegment a, MemorySegment b, MemorySegment bias, MemorySegment c) {
        if (!fusesStore(spec)) {
            throw new IllegalArgumentException("gemmBias: the fused bias needs beta = 0 and a blocked product, got "
                    + spec);
        }
        gemm(spec, a, MemorySegment.NULL, b, c, bias, MemorySegment.NULL, null, Parallel.threads());
    }

    /**
     * {@code C = alpha·op(A)·op(B) + D} (batch 1, and a product {@link #fusesStore} takes; see
     * {@code CpuBackend.gemmAddend}): D, laid out like C, is read in the first k block's tile store instead of C,
     * never copied into C first. The same bits as copying D into C and running the product with beta = 1.
     */
    static void gemmAddend(GemmSpec spec, MemorySegment a, MemorySegment b, MemorySegment d, MemorySegment c) {
        if (spec.batch() != 1 || !fusesStore(spec)) {
            throw new IllegalArgumentException("gemmAddend: the fused addend needs beta = 0, batch 1 and a blocked "
                    + "product, got " + spec);
        }
        gemm(spec, a, MemorySegment.NULL, b, c, MemorySegment.NULL, d, null, shareable(d) ? Parallel.threads() : 1);
    }

    /**
     * Whether the blocked kernel takes a product whose A is edited as it is packed ({@link #gemmEditedA}): batch 1, A
     * row-major, 1 ≤ r ≤ one k block, a product the blocked kernel runs unswapped and unsplit ({@link #takesWeight},
     * no decoding or skinny kernel, no swap, no split along k), and an edit that {@code gemmAddend} would itself run
     * through the blocked kernel, whose arithmetic the packing repeats. {@code w} reads B (null for plain float32).
     */
    static boolean takesEdited(GemmSpec spec, int r, boolean hasBias, @Nullable WeightRead w) {
        if (spec.batch() != 1 || spec.transA() || r < 1 || r > KC || !takesWeight(spec, hasBias)
                || GemmVector.takes(spec) || w != null && (w.drops() || w.quantized())) {
            return false;
        }
        // a product with a bias never runs swapped
        boolean swapped = !hasBias && (weightAsA(spec, MemorySegment.NULL, MemorySegment.NULL, w)
                || skinnyAsB(spec, MemorySegment.NULL, MemorySegment.NULL, w));
        GemmSpec editSpec = GemmSpec.strided(true, false, spec.m(), spec.k(), r, 1f, 0f, spec.m(), spec.k(),
                spec.lda());
        return !swapped && !splitsAlongK(spec) && fusesStore(editSpec);
    }

    /**
     * {@link #gemmWeight} (or the plain product when {@code w} is null) whose A is X + editScale·Uᵀ·E, edited as
     * it is packed ({@link GemmEdit}; see {@code KernelBackend.gemmEditedA}); the product must be one
     * {@link #takesEdited} takes. The same bits as writing the edited A with {@link #gemmAddend} and running the
     * product on it.
     */
    static void gemmEditedA(GemmSpec spec, MemorySegment x, MemorySegment u, MemorySegment e, int r, float editScale,
                            @Nullable WeightRead w, MemorySegment b, MemorySegment bias, MemorySegment c) {
        if (!takesEdited(spec, r, !bias.equals(MemorySegment.NULL), w)) {
            throw new IllegalArgumentException("gemmEditedA: not a blocked product with an edit of rank " + r + ": "
                    + spec);
        }
        int threads = shareable(x) && shareable(u) && shareable(e) && shareable(b) && shareable(c)
                ? Parallel.threads() : 1;
        int helpers = (long) spec.m() * spec.n() * spec.k() < THREADING_WORK ? 1 : threads;
        blocked(spec, x, b, MemorySegment.NULL, c, bias, MemorySegment.NULL, w, null, 0, 0, 0, 0, helpers, false,
                new GemmEdit.Args(u, e, r, editScale));
    }

    /**
     * The product on at most {@code maxThreads} threads (the caller's included); bias and addend may be NULL, and
     * {@code w} is null for a plain float32 B. {@code lower} holds A's rows from the dropout's first row on
     * ({@link #gemmWeightStacked}), or is NULL.
     */
    private static void gemm(GemmSpec spec, MemorySegment a, MemorySegment lower, MemorySegment b, MemorySegment c,
                             MemorySegment bias, MemorySegment addend, @Nullable WeightRead w, int maxThreads) {
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
        int threads = shareable(a) && shareable(b) && shareable(c)
                && (lower.equals(MemorySegment.NULL) || shareable(lower)) ? maxThreads : 1;
        int batch = spec.batch();
        if (batch > 1 && threads > 1
                && (work < BATCH_SPLIT_WORK || batch % threads == 0 || batch >= 4 * threads)) {
            Parallel.forRange(batch, 1, (from, to) -> {
                for (int bi = from; bi < to; bi++) {
                    product(spec, a, lower, b, c, bias, addend, w, bi, 1);
                }
            });
            return;
        }
        int helpers = work < THREADING_WORK ? 1 : threads;
        for (int bi = 0; bi < batch; bi++) {
            product(spec, a, lower, b, c, bias, addend, w, bi, helpers);
        }
    }

    /**
     * {@link #gemm} on the calling thread only: for kernels that already run one task per pool thread
     * (attention's per-head products), where handing units to helpers would only make the threads contend.
     */
    static void gemmSerial(GemmSpec spec, MemorySegment a, MemorySegment b, MemorySegment c) {
        gemm(spec, a, MemorySegment.NULL, b, c, MemorySegment.NULL, MemorySegment.NULL, null, 1);
    }

    /** One product of the batch, on up to {@code threads} threads. */
    private static void product(GemmSpec spec, MemorySegment a, MemorySegment lower, MemorySegment b, MemorySegment c,
                                MemorySegment bias, MemorySegment addend, @Nullable WeightRead w, int bi,
                                int threads) {
        long offA = bi * spec.strideA();
        long offB = bi * spec.strideB();
        long offC = bi * spec.strideC();
        int m = spec.m();
        int n = spec.n();
        int k = spec.k();
        if (splitsAlongK(spec)) {
            // a deep product whose B does not fit one packed block (an LM head's dX: 1024×512×32000): splitting
            // n would read and pack all of A once per column block; split k instead, so A is read once and only
            // the smaller C is revisited (beta = 1 after the first part; the bias or addend goes with the first)
            int kChunk = Math.max(KC, B_BLOCK / n / KC * KC);
            for (int k0 = 0; k0 < k; k0 += kChunk) {
                GemmSpec part = GemmSpec.strided(spec.transA(), spec.transB(), m, n, Math.min(kChunk, k - k0),
                        spec.alpha(), k0 == 0 ? spec.beta() : 1f, spec.lda(), spec.ldb(), spec.ldc());
                productAt(part, a, lower, b, c, k0 == 0 ? bias : MemorySegment.NULL,
                        k0 == 0 ? addend : MemorySegment.NULL, w, offA + (spec.transA() ? (long) k0 * spec.lda() : k0),
                        k0, offB + (spec.transB() ? k0 : (long) k0 * spec.ldb()), offC, threads);
            }
            return;
        }
        productAt(spec, a, lower, b, c, bias, addend, w, offA, 0, offB, offC, threads);
    }

    /** Whether {@link #product} splits the product along k: B's packed block would not hold all of n, and k &gt; n. */
    private static boolean splitsAlongK(GemmSpec spec) {
        return !GemmSkinny.takes(spec) && spec.n() > ncMax(spec.k()) && spec.k() > spec.n();
    }

    /** Most columns of one packed B block (≤ B_BLOCK floats) for an inner dimension k. */
    private static int ncMax(int k) {
        return Math.max(NR, B_BLOCK / Math.max(1, k) / NR * NR);
    }

    /** One product of batch 1 at the given element offsets of A (and of its lower rows), B and C. */
    private static void productAt(GemmSpec spec, MemorySegment a, MemorySegment lower, MemorySegment b,
                                  MemorySegment c, MemorySegment bias, MemorySegment addend, @Nullable WeightRead w,
                                  long offA, long offLower, long offB, long offC, int threads) {
        if (!lower.equals(MemorySegment.NULL) && (GemmVector.takes(spec) || GemmSkinny.takes(spec))) {
            throw new IllegalStateException("a product with A in two buffers needs the blocked kernel: " + spec);
        }
        if (GemmVector.takes(spec) && addend.equals(MemorySegment.NULL)
                && (w == null || !w.drops() && !w.quantized())) {
            GemmVector.product(spec, a, offA, w == null ? PLAIN : w, b, offB, bias, c, offC, threads);
            return;
        }
        if (GemmSkinny.takes(spec)) {
            if (w != null) {
                throw new IllegalStateException("a weight read through WeightRead needs the blocked kernel: " + spec);
            }
            GemmSkinny.product(spec, a, b, c, offA, offB, offC, threads);
            return;
        }
        if (weightAsA(spec, bias, addend, w) || skinnyAsB(spec, bias, addend, w)) {
            // Cᵀ = op(B)ᵀ·op(A)ᵀ: B packed as A, row by row, instead of transposed into B panels
            GemmSpec swapped = GemmSpec.strided(false, !spec.transA(), spec.n(), spec.m(), spec.k(), spec.alpha(),
                    spec.beta(), spec.ldb(), spec.lda(), spec.ldc());
            blocked(swapped, b, a, lower, c, bias, addend, null, w, offB, offA, offLower, offC, threads, true, null);
            return;
        }
        blocked(spec, a, b, lower, c, bias, addend, w, null, offA, offB, offLower, offC, threads, false, null);
    }

    /**
     * Whether a float32 product against a transposed B at least four times as wide as it is tall (a low-rank
     * adapter's {@code u = psi·xᵀ}, r × tokens) runs swapped, as {@code Cᵀ = B·op(A)ᵀ}: the short A is transposed
     * into B panels instead of the long B. At least NR rows, so that the swapped product's columns fill whole
     * micro-tiles ({@link #swappable}). The same bits, as for {@link #weightAsA}.
     */
    static boolean skinnyAsB(GemmSpec spec, MemorySegment bias, MemorySegment addend, @Nullable WeightRead w) {
        return w == null && swappable(spec, bias, addend) && !spec.transA() && spec.m() >= NR
                && 4L * spec.m() <= spec.n();
    }

    /**
     * What both swaps need: swapping on, a transposed B, the swapped product's B in one packed block (so the long
     * operand is read once), and no bias or addend to fuse into the store.
     */
    private static boolean swappable(GemmSpec spec, MemorySegment bias, MemorySegment addend) {
        return swaps && spec.transB() && spec.m() <= ncMax(spec.k()) && bias.equals(MemorySegment.NULL)
                && addend.equals(MemorySegment.NULL);
    }

    /**
     * Whether a product against a transposed weight ({@code x·Wᵀ}, a linear layer's forward) runs as
     * {@code Cᵀ = W·xᵀ} with W as the packed A operand: a row-major weight widens into A micro-panels row by row,
     * where as B it must be transposed 16×16 block by block. Taken when the weight is at least as wide as the product
     * is tall (few tokens against a large layer), as {@link #swappable} allows, and with any dropped rows (the
     * stacked generator product) starting on a whole NR-column panel of the swapped product. The same bits either
     * way: every element is the same chain of fused multiply-adds over the same k blocks, merged into C the same way.
     */
    static boolean weightAsA(GemmSpec spec, MemorySegment bias, MemorySegment addend, @Nullable WeightRead w) {
        return w != null && swappable(spec, bias, addend) && !w.quantized() && spec.m() <= spec.n()
                && (!w.drops() || droppedFrom(spec.m(), w) % NR == 0);
    }

    /** Set false to run no product swapped ({@link #weightAsA}, {@link #skinnyAsB}), for comparisons. */
    static volatile boolean swaps = !Boolean.getBoolean("wegeft.gemm.noSwap");

    /**
     * The first row of a product of {@code m} rows that reads drop(B) through {@code w}: m when none does, 0 when all
     * do (a dropping read whose first row lies past the product drops every row, as the blocked kernel reads it).
     */
    static int droppedFrom(int m, WeightRead w) {
        return !w.drops() ? m : w.firstRow() < m ? w.firstRow() : 0;
    }

    /**
     * The blocked product; {@code w} reads B (null for plain float32), or {@code wa} reads A, a row-major weight, for
     * a product {@link #weightAsA} swapped (columns from {@link #droppedFrom} on read drop(A)). A swapped product
     * ({@code transposedC}) writes C transposed: element (i, j) of the product goes to C[j·ldc + i]. {@code lower}
     * (or NULL) holds the activations' rows from the dropout's first row on: A's rows, or B's columns when swapped.
     */
    private static void blocked(GemmSpec spec, MemorySegment a, MemorySegment b, MemorySegment lower, MemorySegment c,
                                MemorySegment bias, MemorySegment addend, @Nullable WeightRead w,
                                @Nullable WeightRead wa, long offA, long offB, long offLower, long offC, int threads,
                                boolean transposedC, GemmEdit.@Nullable Args edit) {
        int m = spec.m();
        int n = spec.n();
        int k = spec.k();
        int kBlocks = Math.ceilDiv(k, KC);
        // k blocks of equal size, rounded up to whole vectors (the last block is the shorter)
        int kc = Math.min(k, Math.ceilDiv(Math.ceilDiv(k, kBlocks), 16) * 16);
        kBlocks = Math.ceilDiv(k, kc);
        int ncMax = ncMax(k);
        GemmWorkspace ws = GemmWorkspace.get();
        GemmEdit edited = edit == null ? null : new GemmEdit(m, k, kc, edit, ws);
        // work units: blocks of whole 12-row micro-panels × groups of NR-column panels, about 8 per thread
        int microPanels = Math.ceilDiv(m, MR);
        // when B does not fit in L2, every unit streams it from L3: give units at least 8 micro-panels of rows
        // to reuse each B micro-panel, and find the parallelism in column groups instead
        int minPerUnit = (long) k * n > B_IN_L2 ? Math.min(Math.min(8, MC / MR), microPanels) : 1;
        int perUnit = Math.clamp(microPanels / (4 * threads), minPerUnit, MC / MR);
        // a product whose rows from `split` on read drop(B): no row block straddles the split
        int split = w != null && w.drops() && w.firstRow() < m ? w.firstRow() : 0;
        int unitRows = perUnit * MR;
        int rowBlocks = split == 0 ? Math.ceilDiv(microPanels, perUnit)
                : Math.ceilDiv(split, unitRows) + Math.ceilDiv(m - split, unitRows);
        for (int jc = 0; jc < n; jc += ncMax) {
            int nb = Math.min(ncMax, n - jc);
            int panels = Math.ceilDiv(nb, NR);
            // column groups re-pack A per group: worth it for balance, except for a transposed A (strided
            // packing) when there are enough row blocks already
            int colGroups = threads == 1 || spec.transA() && rowBlocks >= 4 * threads ? 1
                    : Math.clamp(Math.ceilDiv(8 * threads, rowBlocks), 1, spec.transA() ? 2 : panels);
            long packed = (long) k * panels * NR;
            GemmJob job = new GemmJob(spec, a, b, c, bias, addend, w, wa, transposedC, offA, offB, offC, jc, nb,
                    panels, kBlocks, kc, ws.b(packed), split, ws.flags(kBlocks * panels), unitRows, rowBlocks,
                    colGroups, lower, offLower, edited);
            if (threads > 1) {
                GemmHelpers.offer(job);
            }
            job.work();
            try {
                job.awaitDone();
            } finally {
                GemmHelpers.retire(job);
            }
        }
    }

    /** An unstarted thread: a segment it may access is not confined to the calling thread. */
    private static final Thread OTHER = Thread.ofPlatform().unstarted(() -> { });

    private static boolean shareable(MemorySegment s) {
        return s.isAccessibleBy(OTHER);
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
