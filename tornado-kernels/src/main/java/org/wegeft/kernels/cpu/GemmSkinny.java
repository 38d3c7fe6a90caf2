package org.wegeft.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import org.wegeft.kernels.GemmSpec;
import org.wegeft.kernels.Parallel;

/**
 * GEMMs with one small dimension, as low-rank adapters make them (r = 4..64 on one side of a product with
 * thousands of rows): packing them into the blocked kernel's 12 × 2-vector tiles wastes most of each tile and
 * copies the large operand once more than needed. Three direct kernels instead, each reading the large operand
 * once, in place:
 * <ul>
 *   <li>{@link #narrowN} (n ≤ one vector): C rows = Σ_k op(A)[i,k] · op(B)[k,:], op(B) packed k-major into one
 *       vector per k, eight rows of C in registers ({@code x·psiᵀ}, {@code g·phiᵀ}, LoRA's {@code x·Aᵀ});</li>
 *   <li>{@link #shortK} (k ≤ 16): each C row is a combination of the k rows of op(B), packed once
 *       ({@code u·phi}, LoRA's {@code u·Bᵀ}, {@code du·psi});</li>
 *   <li>{@link #shortM} (m ≤ 16): op(A) packed k-major, C in registers eight rows × one vector at a time,
 *       op(B) streamed by rows ({@code uᵀ·g}, {@code duᵀ·x}: the adapter weights' gradients).</li>
 * </ul>
 * Every element of C is summed over k in increasing order by one thread, so results do not depend on the thread
 * count. {@code beta == 0} never reads C.
 */
final class GemmSkinny {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** Largest k of {@link #shortK}. */
    static final int SHORT_K = 16;
    /** Largest m of {@link #shortM}. */
    static final int SHORT_M = 16;
    /** Column block of {@link #shortK}: 16 rows × 256 floats of packed B = 16 KB. */
    private static final int JB = 256;
    /** Rows of B per pass of {@link #shortM}'s rank-k update. */
    private static final int KB = 128;
    /** Products below this much work (m·n·k) stay on the calling thread. */
    private static final long THREADING_WORK = 1L << 18;

    private GemmSkinny() {
    }

    /** Whether one of the kernels here takes this product. */
    static boolean takes(GemmSpec s) {
        return s.n() <= L || s.k() <= SHORT_K || s.m() <= SHORT_M;
    }

    /** One product (batch element at the given offsets) on up to {@code threads} threads. */
    static void product(GemmSpec s, MemorySegment a, MemorySegment b, MemorySegment c, long offA, long offB,
                        long offC, int threads) {
        if (s.n() <= L) {
            narrowN(s, a, b, c, offA, offB, offC, threads);
        } else if (s.k() <= SHORT_K) {
            shortK(s, a, b, c, offA, offB, offC, threads, MemorySegment.NULL);
        } else {
            shortM(s, a, b, c, offA, offB, offC, threads);
        }
    }

    private static boolean parallel(GemmSpec s, int threads) {
        return threads > 1 && (long) s.m() * s.n() * s.k() >= THREADING_WORK;
    }

    /**
     * Per-thread scratch, reused across calls (the operand packing made ~40 MB of garbage per training step):
     * slot 0 holds what a call packs for all of its tasks (the calling thread's), slot 1 what one task uses alone.
     * Contents are undefined; padding lanes may hold old values, which only ever reach lanes that are not stored.
     */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][] {{}, {}, {}});

    private static float[] scratch(int slot, int floats) {
        float[][] s = SCRATCH.get();
        if (s[slot].length < floats) {
            s[slot] = new float[floats];
        }
        return s[slot];
    }

    private static FloatVector bc(float x) {
        return FloatVector.broadcast(S, x);
    }

    /** op(B)[kk, j] as stored. */
    private static float opB(GemmSpec s, MemorySegment b, long offB, int kk, int j) {
        return b.getAtIndex(F, offB + (s.transB() ? (long) j * s.ldb() + kk : (long) kk * s.ldb() + j));
    }

    /** Writes alpha·acc (+ beta·C) to the first {@code cols} columns of C's row at element {@code at}. */
    private static void store(MemorySegment c, long at, FloatVector acc, float alpha, float beta,
                              VectorMask<Float> mask, boolean full) {
        FloatVector v = acc.mul(alpha);
        long byteOff = at * Float.BYTES;
        if (full) {
            if (beta != 0f) {
                v = FloatVector.fromMemorySegment(S, c, byteOff, NATIVE).mul(beta).add(v);
            }
            v.intoMemorySegment(c, byteOff, NATIVE);
        } else {
            if (beta != 0f) {
                v = FloatVector.fromMemorySegment(S, c, byteOff, NATIVE, mask).mul(beta).add(v);
            }
            v.intoMemorySegment(c, byteOff, NATIVE, mask);
        }
    }

    // ------------------------------------------------------------------ n ≤ L

    private static void narrowN(GemmSpec s, MemorySegment a, MemorySegment b, MemorySegment c, long offA,
                                long offB, long offC, int threads) {
        int m = s.m();
        int n = s.n();
        int k = s.k();
        float[] bk = scratch(0, k * L);                     // op(B) k-major, one vector per k (lanes past n unused)
        for (int kk = 0; kk < k; kk++) {
            for (int j = 0; j < n; j++) {
                bk[kk * L + j] = opB(s, b, offB, kk, j);
            }
        }
        long rs = s.transA() ? 1 : s.lda();                 // element step between rows of op(A)
        long ks = s.transA() ? s.lda() : 1;                 // ... and along k
        int blocks = Math.ceilDiv(m, 8);
        VectorMask<Float> mask = S.indexInRange(0, n);
        boolean full = n == L;
        Parallel.RangeBody body = (b0, b1) -> {
            float[] tile = scratch(2, 8 * L);
            for (int blk = b0; blk < b1; blk++) {
                int i0 = blk * 8;
                if (m - i0 >= 8) {
                    narrowN8(s, a, offA + i0 * rs, rs, ks, k, bk, c, offC + (long) i0 * s.ldc(), mask, full, tile);
                } else {
                    for (int i = i0; i < m; i++) {
                        FloatVector acc = FloatVector.zero(S);
                        long ai = offA + i * rs;
                        for (int kk = 0; kk < k; kk++) {
                            acc = FloatVector.fromArray(S, bk, kk * L).fma(bc(a.getAtIndex(F, ai + kk * ks)), acc);
                        }
                        store(c, offC + (long) i * s.ldc(), acc, s.alpha(), s.beta(), mask, full);
                    }
                }
            }
        };
        if (parallel(s, threads)) {
            Parallel.forRange(blocks, 4, body);
        } else {
            body.run(0, blocks);
        }
    }

    /** Eight rows of C from op(A) rows starting at element {@code a0}; {@code tile}: scratch of eight vectors. */
    private static void narrowN8(GemmSpec s, MemorySegment a, long a0, long rs, long ks, int k, float[] bk,
                                 MemorySegment c, long c0, VectorMask<Float> mask, boolean full, float[] tile) {
        FloatVector c0v = FloatVector.zero(S);
        FloatVector c1v = c0v;
        FloatVector c2v = c0v;
        FloatVector c3v = c0v;
        FloatVector c4v = c0v;
        FloatVector c5v = c0v;
        FloatVector c6v = c0v;
        FloatVector c7v = c0v;
        for (int kk = 0; kk < k; kk++) {
            FloatVector bv = FloatVector.fromArray(S, bk, kk * L);
            long at = a0 + kk * ks;
            c0v = bv.fma(bc(a.getAtIndex(F, at)), c0v);
            c1v = bv.fma(bc(a.getAtIndex(F, at + rs)), c1v);
            c2v = bv.fma(bc(a.getAtIndex(F, at + 2 * rs)), c2v);
            c3v = bv.fma(bc(a.getAtIndex(F, at + 3 * rs)), c3v);
            c4v = bv.fma(bc(a.getAtIndex(F, at + 4 * rs)), c4v);
            c5v = bv.fma(bc(a.getAtIndex(F, at + 5 * rs)), c5v);
            c6v = bv.fma(bc(a.getAtIndex(F, at + 6 * rs)), c6v);
            c7v = bv.fma(bc(a.getAtIndex(F, at + 7 * rs)), c7v);
        }
        // through a small array and one store site: eight inline stores outgrow C2's node budget (boxed vectors)
        c0v.intoArray(tile, 0);
        c1v.intoArray(tile, L);
        c2v.intoArray(tile, 2 * L);
        c3v.intoArray(tile, 3 * L);
        c4v.intoArray(tile, 4 * L);
        c5v.intoArray(tile, 5 * L);
        c6v.intoArray(tile, 6 * L);
        c7v.intoArray(tile, 7 * L);
        long ldc = s.ldc();
        float alpha = s.alpha();
        float beta = s.beta();
        for (int r = 0; r < 8; r++) {
            store(c, c0 + r * ldc, FloatVector.fromArray(S, tile, r * L), alpha, beta, mask, full);
        }
    }

    // ------------------------------------------------------------------ k ≤ 16

    /** Whether {@link #productAddend} takes this product (batch 1, k ≤ 16, n over one vector). */
    static boolean takesAddend(GemmSpec s) {
        return s.batch() == 1 && s.n() > L && s.k() <= SHORT_K && s.k() > 0 && s.m() > 0;
    }

    /**
     * C = alpha·op(A)·op(B) + D ({@link #takesAddend} products; spec beta ignored): D laid out like C (leading
     * dimension ldc, same element offsets), read where the kernel would read C. Same bits as copying D into C and
     * running the product with beta = 1.
     */
    static void productAddend(GemmSpec s, MemorySegment a, MemorySegment b, MemorySegment d, MemorySegment c,
                              int threads) {
        shortK(s, a, b, c, 0, 0, 0, threads, d);
    }

    /** {@code addend} NULL: C = alpha·AB + beta·C; else C = alpha·AB + addend (laid out and offset like C). */
    private static void shortK(GemmSpec s, MemorySegment a, MemorySegment b, MemorySegment c, long offA,
                               long offB, long offC, int threads, MemorySegment addend) {
        int m = s.m();
        int n = s.n();
        int k = s.k();
        int np = Math.ceilDiv(n, L) * L;
        float[] bp = scratch(0, k * np);                    // op(B) row-major, rows padded to whole vectors
        for (int kk = 0; kk < k; kk++) {
            if (!s.transB()) {
                MemorySegment.copy(b, F, (offB + (long) kk * s.ldb()) * Float.BYTES, bp, kk * np, n);
            } else {
                for (int j = 0; j < n; j++) {
                    bp[kk * np + j] = opB(s, b, offB, kk, j);
                }
            }
        }
        long rs = s.transA() ? 1 : s.lda();
        long ks = s.transA() ? s.lda() : 1;
        float alpha = s.alpha();
        float beta = s.beta();
        boolean add = !addend.equals(MemorySegment.NULL);
        Parallel.RangeBody body = (i0, i1) -> {
            float[] ai = scratch(1, 2 * k);
            float[] tile = scratch(2, 8 * L);
            // column blocks of JB: a k × JB slice of the packed B (≤ 16 KB) stays in L1 across the rows
            for (int jb = 0; jb < n; jb += JB) {
                int je = Math.min(n, jb + JB);
                int i = i0;
                // two rows × four vectors at a time: eight independent sums (one chain of k dependent FMAs
                // per output vector left the FMA units idle for their latency), each B vector loaded once
                for (; i + 2 <= i1; i += 2) {
                    long ar = offA + i * rs;
                    for (int kk = 0; kk < k; kk++) {
                        ai[kk] = a.getAtIndex(F, ar + kk * ks) * alpha;
                        ai[k + kk] = a.getAtIndex(F, ar + rs + kk * ks) * alpha;
                    }
                    long cr = offC + (long) i * s.ldc();
                    int j = jb;
                    for (; j + 4 * L <= je; j += 4 * L) {
                        shortK2x4(ai, k, bp, np, j, tile);
                        for (int r = 0; r < 2; r++) {
                            for (int v = 0; v < 4; v++) {
                                long at = cr + r * s.ldc() + j + v * L;
                                FloatVector t = FloatVector.fromArray(S, tile, (4 * r + v) * L);
                                if (add) {
                                    putAdd(c, addend, at, t);
                                } else {
                                    put(c, at, t, beta);
                                }
                            }
                        }
                    }
                    for (int r = 0; r < 2; r++) {
                        shortKRow(ai, r * k, k, bp, np, j, je, c, cr + r * s.ldc(), beta, addend, tile);
                    }
                }
                for (; i < i1; i++) {
                    long ar = offA + i * rs;
                    for (int kk = 0; kk < k; kk++) {
                        ai[kk] = a.getAtIndex(F, ar + kk * ks) * alpha;
                    }
                    shortKRow(ai, 0, k, bp, np, jb, je, c, offC + (long) i * s.ldc(), beta, addend, tile);
                }
            }
        };
        if (parallel(s, threads)) {
            Parallel.forRange(m, 8, body);
        } else {
            body.run(0, m);
        }
    }

    /**
     * tile[(4r + v)·L ..] = Σ_kk a_r[kk]·Bp[kk, j + v·L ..] for rows r = 0, 1 and vectors v = 0..3; a_r = ai[r·k ..],
     * already scaled by alpha. The caller stores the tile into C: with eight stores here, C2's node budget left the
     * last ones out of line and boxed their vectors.
     */
    private static void shortK2x4(float[] ai, int k, float[] bp, int np, int j, float[] tile) {
        FloatVector x0 = FloatVector.zero(S), x1 = FloatVector.zero(S), x2 = FloatVector.zero(S);
        FloatVector x3 = FloatVector.zero(S), y0 = FloatVector.zero(S), y1 = FloatVector.zero(S);
        FloatVector y2 = FloatVector.zero(S), y3 = FloatVector.zero(S);
        for (int kk = 0; kk < k; kk++) {
            int o = kk * np + j;
            FloatVector b0 = FloatVector.fromArray(S, bp, o);
            FloatVector b1 = FloatVector.fromArray(S, bp, o + L);
            FloatVector b2 = FloatVector.fromArray(S, bp, o + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, bp, o + 3 * L);
            FloatVector u = bc(ai[kk]);
            FloatVector v = bc(ai[k + kk]);
            x0 = b0.fma(u, x0);
            x1 = b1.fma(u, x1);
            x2 = b2.fma(u, x2);
            x3 = b3.fma(u, x3);
            y0 = b0.fma(v, y0);
            y1 = b1.fma(v, y1);
            y2 = b2.fma(v, y2);
            y3 = b3.fma(v, y3);
        }
        x0.intoArray(tile, 0);
        x1.intoArray(tile, L);
        x2.intoArray(tile, 2 * L);
        x3.intoArray(tile, 3 * L);
        y0.intoArray(tile, 4 * L);
        y1.intoArray(tile, 5 * L);
        y2.intoArray(tile, 6 * L);
        y3.intoArray(tile, 7 * L);
    }

    /** C[at .. at+L) = v + D[at .. at+L) (a whole vector, alpha already applied). */
    private static void putAdd(MemorySegment c, MemorySegment d, long at, FloatVector v) {
        FloatVector.fromMemorySegment(S, d, at * Float.BYTES, NATIVE).add(v)
                .intoMemorySegment(c, at * Float.BYTES, NATIVE);
    }

    /** C[at .. at+L) = v (+ beta·C): {@link #store}'s whole-vector case, alpha already applied. */
    private static void put(MemorySegment c, long at, FloatVector v, float beta) {
        long byteOff = at * Float.BYTES;
        FloatVector r = v;
        if (beta != 0f) {
            r = FloatVector.fromMemorySegment(S, c, byteOff, NATIVE).mul(beta).add(v);
        }
        r.intoMemorySegment(c, byteOff, NATIVE);
    }

    /**
     * Columns [j, je) of one C row (C element cr + j ...) from the scaled A row ai[at .. at+k), plus the addend's
     * row when there is one; {@code lanes} is scratch of at least one vector.
     */
    private static void shortKRow(float[] ai, int at, int k, float[] bp, int np, int j, int je, MemorySegment c,
                                  long cr, float beta, MemorySegment addend, float[] lanes) {
        boolean add = !addend.equals(MemorySegment.NULL);
        for (; j + L <= je; j += L) {
            FloatVector acc = FloatVector.zero(S);
            for (int kk = 0; kk < k; kk++) {
                acc = FloatVector.fromArray(S, bp, kk * np + j).fma(bc(ai[at + kk]), acc);
            }
            if (add) {
                putAdd(c, addend, cr + j, acc);
            } else {
                store(c, cr + j, acc, 1f, beta, null, true);
            }
        }
        if (j < je) {
            FloatVector acc = FloatVector.zero(S);
            for (int kk = 0; kk < k; kk++) {
                acc = FloatVector.fromArray(S, bp, kk * np + j).fma(bc(ai[at + kk]), acc);
            }
            if (add) {
                // the few tail columns one at a time (masked segment accesses are not always intrinsified)
                acc.intoArray(lanes, 0);
                for (int jj = j; jj < je; jj++) {
                    c.setAtIndex(F, cr + jj, addend.getAtIndex(F, cr + jj) + lanes[jj - j]);
                }
            } else {
                store(c, cr + j, acc, 1f, beta, S.indexInRange(j, je), false);
            }
        }
    }

    // ------------------------------------------------------------------ m ≤ 16

    private static void shortM(GemmSpec s, MemorySegment a, MemorySegment b, MemorySegment c, long offA,
                               long offB, long offC, int threads) {
        int m = s.m();
        int n = s.n();
        int k = s.k();
        float[] ap = scratch(0, k * SHORT_M);               // op(A) k-major: ap[kk·16 + i] (rows past m unused)
        for (int kk = 0; kk < k; kk++) {
            if (s.transA()) {
                MemorySegment.copy(a, F, (offA + (long) kk * s.lda()) * Float.BYTES, ap, kk * SHORT_M, m);
            } else {
                for (int i = 0; i < m; i++) {
                    ap[kk * SHORT_M + i] = a.getAtIndex(F, offA + (long) i * s.lda() + kk);
                }
            }
        }
        int chunks = Math.ceilDiv(n, L);
        Parallel.RangeBody body = s.transB() ? (c0, c1) -> shortMPacked(s, ap, b, offB, c, offC, c0, c1)
                : (c0, c1) -> shortMRows(s, ap, b, offB, c, offC, c0, c1);
        if (parallel(s, threads)) {
            Parallel.forRange(chunks, 1, body);
        } else {
            body.run(0, chunks);
        }
    }

    /**
     * Column chunks [c0, c1) of C for a row-major B: passes over KB rows of B at a time, each updating C's rows
     * (kept in a float array) with all of the chunks, so B is read once, row by row.
     */
    private static void shortMRows(GemmSpec s, float[] ap, MemorySegment b, long offB, MemorySegment c, long offC,
                                   int c0, int c1) {
        int m = s.m();
        int n = s.n();
        int k = s.k();
        int j0 = c0 * L;
        int width = Math.min(n, c1 * L) - j0;
        int stride = (c1 - c0) * L;
        int accLen = Math.ceilDiv(m, 8) * 8 * stride;
        float[] acc = scratch(1, accLen);
        java.util.Arrays.fill(acc, 0, accLen, 0f);
        for (int k0 = 0; k0 < k; k0 += KB) {
            int k1 = Math.min(k, k0 + KB);
            for (int ch = c0; ch < c1; ch++) {
                int j = ch * L;
                int cols = Math.min(L, n - j);
                boolean full = cols == L;
                VectorMask<Float> mask = S.indexInRange(0, cols);
                for (int i0 = 0; i0 < m; i0 += 8) {
                    rowsUpdate8(ap, i0, b, offB + j, s.ldb(), k0, k1, acc, i0 * stride + (j - j0), stride, mask,
                            full);
                }
            }
        }
        float alpha = s.alpha();
        float beta = s.beta();
        for (int i = 0; i < m; i++) {
            long cr = offC + (long) i * s.ldc() + j0;
            int j = 0;
            for (; j + L <= width; j += L) {
                store(c, cr + j, FloatVector.fromArray(S, acc, i * stride + j), alpha, beta, null, true);
            }
            if (j < width) {
                store(c, cr + j, FloatVector.fromArray(S, acc, i * stride + j), alpha, beta,
                        S.indexInRange(j, width), false);
            }
        }
    }

    /** acc[8 rows × one chunk] += Σ_{k0 ≤ kk < k1} op(A)[i0 + r, kk] · B[kk, chunk]. */
    private static void rowsUpdate8(float[] ap, int i0, MemorySegment b, long b0, long ldb, int k0, int k1,
                                    float[] acc, int at, int stride, VectorMask<Float> mask, boolean full) {
        FloatVector c0v = FloatVector.fromArray(S, acc, at);
        FloatVector c1v = FloatVector.fromArray(S, acc, at + stride);
        FloatVector c2v = FloatVector.fromArray(S, acc, at + 2 * stride);
        FloatVector c3v = FloatVector.fromArray(S, acc, at + 3 * stride);
        FloatVector c4v = FloatVector.fromArray(S, acc, at + 4 * stride);
        FloatVector c5v = FloatVector.fromArray(S, acc, at + 5 * stride);
        FloatVector c6v = FloatVector.fromArray(S, acc, at + 6 * stride);
        FloatVector c7v = FloatVector.fromArray(S, acc, at + 7 * stride);
        for (int kk = k0; kk < k1; kk++) {
            long off = (b0 + kk * ldb) * Float.BYTES;
            FloatVector bv = full ? FloatVector.fromMemorySegment(S, b, off, NATIVE)
                    : FloatVector.fromMemorySegment(S, b, off, NATIVE, mask);
            int p = kk * SHORT_M + i0;
            c0v = bv.fma(bc(ap[p]), c0v);
            c1v = bv.fma(bc(ap[p + 1]), c1v);
            c2v = bv.fma(bc(ap[p + 2]), c2v);
            c3v = bv.fma(bc(ap[p + 3]), c3v);
            c4v = bv.fma(bc(ap[p + 4]), c4v);
            c5v = bv.fma(bc(ap[p + 5]), c5v);
            c6v = bv.fma(bc(ap[p + 6]), c6v);
            c7v = bv.fma(bc(ap[p + 7]), c7v);
        }
        c0v.intoArray(acc, at);
        c1v.intoArray(acc, at + stride);
        c2v.intoArray(acc, at + 2 * stride);
        c3v.intoArray(acc, at + 3 * stride);
        c4v.intoArray(acc, at + 4 * stride);
        c5v.intoArray(acc, at + 5 * stride);
        c6v.intoArray(acc, at + 6 * stride);
        c7v.intoArray(acc, at + 7 * stride);
    }

    /**
     * Column chunks [c0, c1) of C for a transposed B: each chunk of op(B) packed k-major first (lanes past the
     * chunk's columns keep old values: they only reach lanes that are not stored).
     */
    private static void shortMPacked(GemmSpec s, float[] ap, MemorySegment b, long offB, MemorySegment c,
                                     long offC, int c0, int c1) {
        int m = s.m();
        int n = s.n();
        int k = s.k();
        float[] bq = scratch(1, k * L);
        for (int ch = c0; ch < c1; ch++) {
            int j = ch * L;
            int cols = Math.min(L, n - j);
            boolean full = cols == L;
            VectorMask<Float> mask = S.indexInRange(0, cols);
            for (int jj = 0; jj < cols; jj++) {
                long row = offB + (long) (j + jj) * s.ldb();
                for (int kk = 0; kk < k; kk++) {
                    bq[kk * L + jj] = b.getAtIndex(F, row + kk);
                }
            }
            for (int i0 = 0; i0 < m; i0 += 8) {
                shortM8(s, ap, i0, bq, k, c, offC + (long) i0 * s.ldc() + j, Math.min(8, m - i0), mask, full);
            }
        }
    }

    /** Up to eight rows of one L-column chunk of C from the packed chunk {@code bq} of op(B). */
    private static void shortM8(GemmSpec s, float[] ap, int i0, float[] bq, int k, MemorySegment c, long c0,
                                int rows, VectorMask<Float> mask, boolean full) {
        FloatVector c0v = FloatVector.zero(S);
        FloatVector c1v = c0v;
        FloatVector c2v = c0v;
        FloatVector c3v = c0v;
        FloatVector c4v = c0v;
        FloatVector c5v = c0v;
        FloatVector c6v = c0v;
        FloatVector c7v = c0v;
        for (int kk = 0; kk < k; kk++) {
            FloatVector bv = FloatVector.fromArray(S, bq, kk * L);
            int at = kk * SHORT_M + i0;
            c0v = bv.fma(bc(ap[at]), c0v);
            c1v = bv.fma(bc(ap[at + 1]), c1v);
            c2v = bv.fma(bc(ap[at + 2]), c2v);
            c3v = bv.fma(bc(ap[at + 3]), c3v);
            c4v = bv.fma(bc(ap[at + 4]), c4v);
            c5v = bv.fma(bc(ap[at + 5]), c5v);
            c6v = bv.fma(bc(ap[at + 6]), c6v);
            c7v = bv.fma(bc(ap[at + 7]), c7v);
        }
        long ldc = s.ldc();
        float alpha = s.alpha();
        float beta = s.beta();
        FloatVector[] acc = {c0v, c1v, c2v, c3v, c4v, c5v, c6v, c7v};
        for (int r = 0; r < rows; r++) {
            store(c, c0 + r * ldc, acc[r], alpha, beta, mask, full);
        }
    }
}
