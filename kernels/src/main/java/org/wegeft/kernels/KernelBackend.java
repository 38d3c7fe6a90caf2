package org.wegeft.kernels;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/**
 * The compute SPI. Every backend (scalar reference, Vector-API CPU, CUDA, later TornadoVM) implements
 * these kernels; backends are discovered with {@link java.util.ServiceLoader} and chosen by
 * {@link Backends}.
 *
 * <p>Conventions, shared by every kernel:
 * <ul>
 *   <li>Buffers are {@link MemorySegment}s starting at element 0 of the operand (callers slice views
 *       with {@code asSlice}); float buffers hold float32, index buffers hold int32, both in native
 *       byte order. Counts and offsets are in elements, not bytes. CPU backends run kernels on pool
 *       threads, so host buffers must be reachable from any thread (shared or global arenas, never
 *       {@code Arena.ofConfined()}).</li>
 *   <li>Layouts are row-major and contiguous unless a stride argument says otherwise.</li>
 *   <li>Output buffers are overwritten, except where a parameter is documented as "accumulated
 *       into" (gradients of shared parameters: {@code +=}).</li>
 *   <li>Kernels are data-parallel loops over flat buffers (TornadoVM's model): no allocation of
 *       results, no virtual call per element.</li>
 *   <li>An optional buffer is passed as {@link MemorySegment#NULL}.</li>
 * </ul>
 */
public interface KernelBackend {

    /** Short name used by {@code WEGEFT_BACKEND} / {@code -Dwegeft.backend}: "scalar", "cpu", "cuda". */
    String name();

    /** Whether this backend can run here, and if not, why. Must be cheap and must not throw. */
    Availability availability();

    /** Default-selection preference: the available backend with the highest priority wins. */
    int priority();

    /**
     * Whether default selection may pick this backend. A backend that has not yet passed its checks on real
     * hardware says no, and runs only when asked for by name ({@code WEGEFT_BACKEND}, {@code -Dwegeft.backend}).
     */
    default boolean chosenByDefault() {
        return true;
    }

    /** True when buffers of this backend are host memory that Java code may read directly. */
    default boolean hostAccessible() {
        return true;
    }

    // ------------------------------------------------------------------ memory

    /*
     * Memory of a device backend ({@link #hostAccessible()} false) is addressed by segments that wrap a device
     * address, MemorySegment.ofAddress(ptr).reinterpret(bytes): their size and asSlice work, but Java code must
     * never read or write them. Data crosses between host and device only through copyToDevice / copyToHost.
     * Host backends keep the defaults below: allocate is host memory, the copies are plain memory copies.
     */

    /**
     * A buffer of {@code bytes} bytes (64-byte aligned, contents undefined) owned by this backend until
     * {@link #free}. The default allocates zeroed host memory from a fresh shared arena.
     */
    default MemorySegment allocate(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("allocate: negative size " + bytes);
        }
        return HostMemory.allocate(bytes);
    }

    /** Releases a buffer returned by {@link #allocate}. The default releases host memory (a no-op for others). */
    default void free(MemorySegment buffer) {
        HostMemory.free(buffer);
    }

    /** Copies {@code bytes} bytes from host memory into a buffer of this backend. */
    default void copyToDevice(MemorySegment host, MemorySegment device, long bytes) {
        MemorySegment.copy(host, 0, device, 0, bytes);
    }

    /** Copies {@code bytes} bytes from a buffer of this backend into host memory. */
    default void copyToHost(MemorySegment device, MemorySegment host, long bytes) {
        MemorySegment.copy(device, 0, host, 0, bytes);
    }

    /** Copies {@code bytes} bytes between two buffers of this backend. */
    default void copy(MemorySegment src, MemorySegment dst, long bytes) {
        MemorySegment.copy(src, 0, dst, 0, bytes);
    }

    /**
     * Waits until every kernel and copy issued so far has finished (device backends run asynchronously; host
     * backends are synchronous, the default does nothing).
     */
    default void synchronize() {
    }

    // ------------------------------------------------------------------ GEMM

    /**
     * Batched, strided GEMM: for b in [0, batch):
     * {@code C_b = alpha * op(A_b) · op(B_b) + beta * C_b}, where {@code op(X)} is X or Xᵀ,
     * {@code X_b} starts at element {@code b * strideX}, and the leading dimensions are row strides.
     * op(A) is (M×K), op(B) is (K×N), C is (M×N). When beta == 0, C is not read (NaNs in C vanish).
     */
    void gemm(GemmSpec spec, MemorySegment a, MemorySegment b, MemorySegment c);

    /**
     * {@code C_b = alpha·op(A_b)·op(B_b) + bias} for every b in the batch, the bias ({@code n} floats) added to every
     * row: a linear layer's forward. {@code spec.beta()} must be 0 (C is only written). The default broadcasts the
     * bias into C and runs {@link #gemm} with beta = 1; a backend may add it in the GEMM's own store instead, which
     * saves writing and reading C once.
     */
    default void gemmBias(GemmSpec spec, MemorySegment a, MemorySegment b, MemorySegment bias, MemorySegment c) {
        if (isEmptyAddendProduct("gemmBias", spec)) {
            return;
        }
        int m = spec.m();
        int n = spec.n();
        if (spec.ldc() == n && (spec.batch() == 1 || spec.strideC() == (long) m * n)) {
            copyStrided(new int[] {spec.batch() * m, n}, bias, new long[] {0, 1}, c);
        } else {
            for (int bi = 0; bi < spec.batch(); bi++) {
                MemorySegment cb = c.asSlice(bi * spec.strideC() * Float.BYTES);
                for (int i = 0; i < m; i++) {
                    copy(bias, cb.asSlice((long) i * spec.ldc() * Float.BYTES, (long) n * Float.BYTES),
                            (long) n * Float.BYTES);
                }
            }
        }
        gemm(spec.withBeta(1f), a, b, c);
    }

    /**
     * {@code C = alpha·op(A)·op(B) + D} for every batch element: D is laid out like C (leading dimension ldc, batch
     * stride strideC), must not overlap C, and the spec's beta must be 0 (WeGeFT's edit {@code x + s·(x psiᵀ) phi}
     * writes the edited copy of x this way). The default copies D into C and runs {@link #gemm} with beta = 1; a
     * backend may read D in the GEMM's own store instead, which saves writing and reading C once.
     */
    default void gemmAddend(GemmSpec spec, MemorySegment a, MemorySegment b, MemorySegment d, MemorySegment c) {
        if (isEmptyAddendProduct("gemmAddend", spec)) {
            return;
        }
        int m = spec.m();
        int n = spec.n();
        for (int bi = 0; bi < spec.batch(); bi++) {
            long base = bi * spec.strideC() * Float.BYTES;
            if (spec.ldc() == n) {
                copy(d.asSlice(base, (long) m * n * Float.BYTES), c.asSlice(base), (long) m * n * Float.BYTES);
            } else {
                for (int i = 0; i < m; i++) {
                    long row = base + (long) i * spec.ldc() * Float.BYTES;
                    copy(d.asSlice(row, (long) n * Float.BYTES), c.asSlice(row), (long) n * Float.BYTES);
                }
            }
        }
        gemm(spec.withBeta(1f), a, b, c);
    }

    /** Checks that a product with an addend has beta 0; true when C is empty (m or n is 0): nothing to do. */
    private static boolean isEmptyAddendProduct(String kernel, GemmSpec spec) {
        if (spec.beta() != 0f) {
            throw new IllegalArgumentException(kernel + ": beta must be 0, got " + spec.beta());
        }
        return spec.m() == 0 || spec.n() == 0;
    }

    /**
     * {@link #gemm}, or {@link #gemmBias} when {@code bias} is not NULL, whose B is a weight stored as {@code bType}
     * (F32, BF16 or F16) and read as float32: a frozen half-precision weight is used in its own dtype, one copy in
     * memory, never converted as a whole. With a {@code dropout} (or null), every element of B is dropped or scaled
     * as {@link WeightDropout} defines, its index counted from b's first element. The default widens the span of B
     * the product reads into a float32 buffer of this backend, applies the dropout there (through the host when the
     * buffer is not host memory) and runs the float32 product: the reference a backend's fused version is tested
     * against. A dropout whose {@link WeightDropout#firstRow} is above 0 (batch 1 only) drops for the rows of A and C
     * from there on and reads B as it is for the rows above; the default runs the two row ranges as two products.
     */
    default void gemmWeight(GemmSpec spec, MemorySegment a, DType bType, MemorySegment b,
                            @Nullable WeightDropout dropout,
                            MemorySegment bias, MemorySegment c) {
        if (!bType.isFloating()) {
            throw new IllegalArgumentException("gemmWeight: B must be F32, BF16 or F16, got " + bType);
        }
        if (dropout != null && dropout.firstRow() > 0) {
            if (spec.batch() != 1) {
                throw new IllegalArgumentException("gemmWeight: a dropout from row " + dropout.firstRow()
                        + " needs batch 1, got " + spec);
            }
            int split = Math.min(dropout.firstRow(), spec.m());
            gemmWeight(spec.rows(0, split), a, bType, b, null, bias, c);
            if (split < spec.m()) {
                GemmSpec tail = spec.rows(split, spec.m());
                long aRow = spec.transA() ? split : (long) split * spec.lda();
                gemmWeight(tail, a.asSlice(aRow * Float.BYTES), bType, b, dropout.fromRow(0), bias,
                        c.asSlice((long) split * spec.ldc() * Float.BYTES));
            }
            return;
        }
        boolean hasBias = !bias.equals(MemorySegment.NULL);
        if (bType == DType.F32 && dropout == null) {
            if (hasBias) {
                gemmBias(spec, a, b, bias, c);
            } else {
                gemm(spec, a, b, c);
            }
            return;
        }
        int rows = spec.transB() ? spec.n() : spec.k();
        int cols = spec.transB() ? spec.k() : spec.n();
        long span = rows == 0 || cols == 0 ? 0
                : (spec.batch() - 1) * spec.strideB() + (long) (rows - 1) * spec.ldb() + cols;
        MemorySegment wide = allocate(Math.max(1, span) * Float.BYTES);
        try {
            convert(bType, b, DType.F32, wide, span);
            if (dropout != null && span > 0) {
                WeightDropouts.applyInPlace(this, dropout, wide, span);
            }
            if (hasBias) {
                gemmBias(spec, a, wide, bias, c);
            } else {
                gemm(spec, a, wide, c);
            }
        } finally {
            free(wide);
        }
    }

    /**
     * {@link #gemmWeight} with a dropout whose {@link WeightDropout#firstRow} splits A, where A's rows from there on
     * are a second buffer, {@code lower}, laid out as A's (row stride lda): a layer's rows and its generator's rows
     * against drop(B) as one product, without first copying them into one A. Batch 1, A not transposed, and the first
     * dropped row inside A (0 &lt; firstRow &lt; m). The default runs the two row ranges as two products.
     */
    default void gemmWeightStacked(GemmSpec spec, MemorySegment a, MemorySegment lower, DType bType, MemorySegment b,
                                   WeightDropout dropout, MemorySegment bias, MemorySegment c) {
        int split = checkStacked(spec, dropout);
        gemmWeight(spec.rows(0, split), a, bType, b, null, bias, c);
        gemmWeight(spec.rows(split, spec.m()), lower, bType, b, dropout.fromRow(0), bias,
                c.asSlice((long) split * spec.ldc() * Float.BYTES));
    }

    /** Checks what {@link #gemmWeightStacked} needs; returns the first row of {@code lower}. */
    private static int checkStacked(GemmSpec spec, WeightDropout dropout) {
        if (spec.batch() != 1 || spec.transA() || dropout.firstRow() <= 0 || dropout.firstRow() >= spec.m()) {
            throw new IllegalArgumentException("gemmWeightStacked: needs batch 1, A not transposed and the dropout's "
                    + "first row inside A, got " + spec + " dropped from row " + dropout.firstRow());
        }
        return dropout.firstRow();
    }

    /**
     * Whether {@link #gemmEditedA} applies the edit inside the product for these arguments, rather than writing the
     * edited A into a buffer first (the default: false).
     */
    default boolean fusesEditedA(GemmSpec spec, int r, DType bType, boolean hasBias) {
        return false;
    }

    /**
     * {@link #gemmWeight} (no dropout) whose A is edited on the way in: op(A) = X + editScale·Uᵀ·E, with X (m × k,
     * row stride lda, not transposed), U (r × m, row stride m) and E (r × k, row stride k). This is WeGeFT's
     * representation form {@code (x + s·(x psiᵀ) phi)·Wᵀ + b} (U = psi·xᵀ, E = phi) without the edited copy of x in
     * memory. Batch 1. The default writes the edited A into a buffer of this backend with {@link #gemmAddend} (a
     * transposed U, alpha = editScale, X the addend) and runs {@link #gemmWeight} on it: the reference a fused
     * version is tested against. Callers that can hold the edited A themselves ask {@link #fusesEditedA} first.
     */
    default void gemmEditedA(GemmSpec spec, MemorySegment x, MemorySegment u, MemorySegment e, int r,
                             float editScale, DType bType, MemorySegment b, MemorySegment bias, MemorySegment c) {
        if (spec.batch() != 1 || spec.transA() || r < 0) {
            throw new IllegalArgumentException("gemmEditedA: needs batch 1, A not transposed and r >= 0, got " + spec
                    + " with r " + r);
        }
        int m = spec.m();
        int k = spec.k();
        long span = m == 0 || k == 0 ? 0 : (long) (m - 1) * spec.lda() + k;
        MemorySegment edited = allocate(Math.max(1, span) * Float.BYTES);
        try {
            if (span > 0) {
                gemmAddend(GemmSpec.strided(true, false, m, k, r, editScale, 0f, m, k, spec.lda()), u, e, x, edited);
            }
            gemmWeight(spec, edited, bType, b, null, bias, c);
        } finally {
            free(edited);
        }
    }

    /**
     * {@link #gemmWeight} whose B is a quantized weight W (rows, cols) read as float32 ({@link QuantizedWeight}'s
     * formula): op(B) is Wᵀ when transB (a linear layer's forward, x·Wᵀ), W otherwise (its input gradient, dy·W);
     * ldb must be W's cols and one W serves the whole batch. The dropout indexes W's elements as
     * {@link #gemmWeight} does. The default dequantizes a slab of rows at a time into a float32 buffer, never the
     * whole weight, and runs the float32 product per slab: the reference a fused version is tested against.
     */
    default void gemmQuantized(GemmSpec spec, MemorySegment a, QuantizedWeight b, @Nullable WeightDropout dropout,
                               MemorySegment bias, MemorySegment c) {
        QuantizedGemm.reference(this, spec, a, b, dropout, bias, c);
    }

    // ------------------------------------------------------------------ elementwise

    /** y[i] = op(x[i]) for i in [0, n). In place (x == y) is allowed. */
    void unary(UnaryOp op, MemorySegment x, MemorySegment y, long n);

    /** dx[i] = dy[i] * op'(x[i]) for i in [0, n) (x is the forward input). In place (dx == dy) is allowed. */
    void unaryBackward(UnaryOp op, MemorySegment x, MemorySegment dy, MemorySegment dx, long n);

    /** y[i] = x[i] * scale + shift. In place allowed. */
    void affine(MemorySegment x, MemorySegment y, long n, float scale, float shift);

    /** y[i] = value. */
    void fill(MemorySegment y, long n, float value);

    /**
     * Broadcasting binary op over an N-d index space {@code shape}:
     * {@code out[flat(idx)] = a[Σ idx_d·aStrides_d] op b[Σ idx_d·bStrides_d]}; a stride of 0
     * broadcasts. {@code out} is contiguous in {@code shape}. {@code out} may alias {@code a} when a
     * is contiguous in shape (in-place accumulation {@code a += b}).
     */
    void binary(BinaryOp op, int[] shape, MemorySegment a, long[] aStrides, MemorySegment b, long[] bStrides,
                MemorySegment out);

    /** Strided gather-copy: {@code dst[flat(idx)] = src[Σ idx_d·srcStrides_d]} (makes views contiguous). */
    void copyStrided(int[] shape, MemorySegment src, long[] srcStrides, MemorySegment dst);

    /**
     * Reduction of x viewed as (outer, dim, inner) over the middle axis into out (outer, inner).
     * MEAN divides by dim (an empty axis gives NaN, as torch); MAX/MIN of an empty axis is -inf/+inf;
     * SUM of an empty axis is 0.
     */
    void reduce(ReduceOp op, MemorySegment x, MemorySegment out, int outer, int dim, int inner);

    // ------------------------------------------------------------------ softmax and norms

    /**
     * Row softmax of x (rows × cols) into y. With {@code causal}, rows are grouped in blocks of
     * {@code tq} query rows (row r is query {@code q = r % tq}) and column j is masked when
     * {@code j > q + (cols - tq)}; masked entries of y are 0. A fully masked row yields zeros.
     */
    void softmax(MemorySegment x, MemorySegment y, int rows, int cols, boolean causal, int tq);

    /** dx = y ⊙ (dy − Σ_row(dy ⊙ y)) for a row softmax y (rows × cols). */
    void softmaxBackward(MemorySegment y, MemorySegment dy, MemorySegment dx, int rows, int cols);

    /**
     * LayerNorm over the last axis: y = (x − mean) · rstd · gamma + beta, with mean and
     * rstd = 1/sqrt(var + eps) (biased variance) written per row. gamma/beta optional (NULL).
     */
    void layerNorm(MemorySegment x, MemorySegment gamma, MemorySegment beta, MemorySegment y,
                   MemorySegment mean, MemorySegment rstd, int rows, int cols, float eps);

    /**
     * LayerNorm backward. Writes dx; dgamma and dbeta (optional) are accumulated into.
     */
    void layerNormBackward(MemorySegment x, MemorySegment gamma, MemorySegment mean, MemorySegment rstd,
                           MemorySegment dy, MemorySegment dx, MemorySegment dgamma, MemorySegment dbeta,
                           int rows, int cols);

    /**
     * RMSNorm as in Hugging Face LLaMA: y = x · rstd · weight, rstd = 1/sqrt(mean(x²) + eps) written per
     * row; weight optional (NULL).
     */
    void rmsNorm(MemorySegment x, MemorySegment weight, MemorySegment y, MemorySegment rstd,
                 int rows, int cols, float eps);

    /** RMSNorm backward. Writes dx; dweight (optional) is accumulated into. */
    void rmsNormBackward(MemorySegment x, MemorySegment weight, MemorySegment rstd, MemorySegment dy,
                         MemorySegment dx, MemorySegment dweight, int rows, int cols);

    // ------------------------------------------------------------------ embeddings and losses

    /**
     * out[i, :] = table[ids[i], :] for i in [0, n); table is (vocab × dim), ids int32.
     * @throws IndexOutOfBoundsException naming the position and id when an id is outside [0, vocab)
     */
    void embedding(MemorySegment ids, MemorySegment table, MemorySegment out, int n, int vocab, int dim);

    /** dtable[ids[i], :] += dout[i, :] (scatter-add, accumulated into). */
    void embeddingBackward(MemorySegment ids, MemorySegment dout, MemorySegment dtable, int n, int vocab, int dim);

    /**
     * Fused softmax cross-entropy over logits (rows × classes) with int32 targets. Row losses are written
     * to {@code losses} (0 for rows whose target equals {@code ignoreIndex}). With label smoothing ε the
     * target distribution is (1−ε)·onehot + ε/classes (as torch). When {@code dlogits} is not NULL it
     * receives the per-row gradient {@code softmax(x) − target} (zero rows for ignored targets),
     * unscaled. Returns the number of rows not ignored.
     * @throws IndexOutOfBoundsException naming the row when a target is outside [0, classes) and not ignored
     */
    int crossEntropy(MemorySegment logits, MemorySegment targets, MemorySegment losses, MemorySegment dlogits,
                     int rows, int classes, int ignoreIndex, float labelSmoothing);

    // ------------------------------------------------------------------ attention and RoPE

    /**
     * Scaled dot-product attention per head: q (bh × tq × d), k and v (bh × tk × d), out (bh × tq × d);
     * {@code lse} (bh × tq) receives each row's log-sum-exp of the scaled, masked scores (kept for
     * backward). Causal masking as in {@link #softmax} (query q sees keys j ≤ q + tk − tq).
     */
    void attention(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out, MemorySegment lse,
                   int bh, int tq, int tk, int d, float scale, boolean causal);

    /** Backward of {@link #attention}: writes dq, dk, dv (overwritten, not accumulated). */
    void attentionBackward(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out,
                           MemorySegment lse, MemorySegment dout, MemorySegment dq, MemorySegment dk,
                           MemorySegment dv, int bh, int tq, int tk, int d, float scale, boolean causal);

    /**
     * {@link #attention} on token-major operands, the layout a projection writes, so no head is copied out first:
     * head h of sequence b, token t of q is the {@code d} floats at {@code (b·tq + t)·ldq + h·d}; k and v likewise
     * with tk and ldk / ldv; out with ldo. A fused q|k|v projection (B, T, 3·H·D) passes one buffer at column
     * offsets 0, H·D and 2·H·D with ld = 3·H·D; out (B, T, H·D) is the merged heads. lse is (batch·heads × tq),
     * row {@code b·heads + h}. The default copies the heads into contiguous buffers of this backend, runs
     * {@link #attention} and copies out back; a backend may read and write the operands in place.
     */
    default void attentionTokenMajor(MemorySegment q, int ldq, MemorySegment k, int ldk, MemorySegment v, int ldv,
                                     MemorySegment out, int ldo, MemorySegment lse, int batch, int heads, int tq,
                                     int tk, int d, float scale, boolean causal) {
        int bh = batch * heads;
        long qBytes = (long) bh * tq * d * Float.BYTES;
        if (qBytes == 0) {
            return;
        }
        java.util.List<MemorySegment> owned = new java.util.ArrayList<>(4);
        try {
            MemorySegment qc = TokenMajor.gathered(this, owned, q, ldq, batch, heads, tq, d);
            MemorySegment kc = TokenMajor.gathered(this, owned, k, ldk, batch, heads, tk, d);
            MemorySegment vc = TokenMajor.gathered(this, owned, v, ldv, batch, heads, tk, d);
            MemorySegment oc = TokenMajor.allocate(this, owned, qBytes);
            attention(qc, kc, vc, oc, lse, bh, tq, tk, d, scale, causal);
            TokenMajor.scatter(this, oc, out, ldo, batch, heads, tq, d);
        } finally {
            owned.forEach(this::free);
        }
    }

    /**
     * Backward of {@link #attentionTokenMajor}: dout is laid out like out (ldo), dq like q (ldq), dk like k, dv like
     * v; dq, dk and dv are overwritten (for a fused projection they are the three column blocks of one gradient).
     * The default copies through {@link #attentionBackward} as the forward's default does.
     */
    default void attentionBackwardTokenMajor(MemorySegment q, int ldq, MemorySegment k, int ldk, MemorySegment v,
                                             int ldv, MemorySegment out, int ldo, MemorySegment lse,
                                             MemorySegment dout, MemorySegment dq, MemorySegment dk, MemorySegment dv,
                                             int batch, int heads, int tq, int tk, int d, float scale,
                                             boolean causal) {
        int bh = batch * heads;
        long qBytes = (long) bh * tq * d * Float.BYTES;
        long kBytes = (long) bh * tk * d * Float.BYTES;
        if (qBytes == 0 && kBytes == 0) {
            return;
        }
        java.util.List<MemorySegment> owned = new java.util.ArrayList<>(8);
        try {
            MemorySegment qc = TokenMajor.gathered(this, owned, q, ldq, batch, heads, tq, d);
            MemorySegment kc = TokenMajor.gathered(this, owned, k, ldk, batch, heads, tk, d);
            MemorySegment vc = TokenMajor.gathered(this, owned, v, ldv, batch, heads, tk, d);
            MemorySegment oc = TokenMajor.gathered(this, owned, out, ldo, batch, heads, tq, d);
            MemorySegment doc = TokenMajor.gathered(this, owned, dout, ldo, batch, heads, tq, d);
            // with tq = tk, dq, dk, dv head-major side by side in one buffer (3, batch, heads, t, d): a fused q|k|v
            // gradient is then filled by one strided copy (TokenMajor.scatterPacked), where row-by-row copies would
            // cost a device backend thousands of transfers
            boolean sideBySide = tq == tk;
            MemorySegment dqc = TokenMajor.allocate(this, owned, sideBySide ? 3 * qBytes : qBytes);
            MemorySegment dkc = sideBySide ? dqc.asSlice(qBytes, qBytes) : TokenMajor.allocate(this, owned, kBytes);
            MemorySegment dvc = sideBySide ? dqc.asSlice(2 * qBytes, qBytes)
                    : TokenMajor.allocate(this, owned, kBytes);
            attentionBackward(qc, kc, vc, oc, lse, doc, dqc, dkc, dvc, bh, tq, tk, d, scale, causal);
            if (!TokenMajor.scatterPacked(this, dqc, dq, dk, dv, ldq, ldk, ldv, batch, heads, tq, tk, d)) {
                TokenMajor.scatter(this, dqc, dq, ldq, batch, heads, tq, d);
                TokenMajor.scatter(this, dkc, dk, ldk, batch, heads, tk, d);
                TokenMajor.scatter(this, dvc, dv, ldv, batch, heads, tk, d);
            }
        } finally {
            owned.forEach(this::free);
        }
    }

    /**
     * Rotary embedding, Hugging Face half-split ("rotate_half") layout, on x (n × t × d), d even:
     * with h = d/2, x1 = x[..., :h], x2 = x[..., h:] and cos/sin (t × h):
     * y1 = x1·cos − x2·sin, y2 = x2·cos + x1·sin. {@code inverse} applies the transposed rotation
     * (sin → −sin), which is the backward. In place allowed.
     */
    void rope(MemorySegment x, MemorySegment y, MemorySegment cos, MemorySegment sin, int n, int t, int d,
              boolean inverse);

    // ------------------------------------------------------------------ optimizer

    /**
     * One AdamW step over n parameters, in PyTorch's order: p ← p·(1 − lr·wd);
     * m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; p ← p − lr·(m/(1−β1^step)) / (sqrt(v/(1−β2^step)) + eps).
     * {@code step} starts at 1.
     */
    void adamw(MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v, long n,
               float lr, float beta1, float beta2, float eps, float weightDecay, int step);

    // ------------------------------------------------------------------ dtype conversion

    /**
     * Converts n elements between F32, BF16 and F16 (any pair; same dtype copies). f32 → bf16 and
     * f32 → f16 round to nearest even; NaN stays NaN; overflow to f16 gives ±inf.
     */
    void convert(DType from, MemorySegment src, DType to, MemorySegment dst, long n);
}
