package org.wegeft.kernels;

/**
 * Shape of a (batched, strided) row-major GEMM {@code C = alpha·op(A)·op(B) + beta·C}.
 *
 * @param transA  A is stored (K×M) and used transposed
 * @param transB  B is stored (N×K) and used transposed
 * @param m       rows of op(A) and C
 * @param n       columns of op(B) and C
 * @param k       inner dimension
 * @param lda     row stride of A as stored (≥ K, or ≥ M when transposed)
 * @param ldb     row stride of B as stored (≥ N, or ≥ K when transposed)
 * @param ldc     row stride of C (≥ N)
 * @param batch   number of independent products (≥ 1)
 * @param strideA elements between consecutive A matrices (ignored when batch == 1)
 * @param strideB elements between consecutive B matrices; 0 shares one B across the batch
 * @param strideC elements between consecutive C matrices
 */
public record GemmSpec(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta,
                       int lda, int ldb, int ldc, int batch, long strideA, long strideB, long strideC) {

    public GemmSpec {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("negative GEMM size m=" + m + " n=" + n + " k=" + k);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("GEMM batch must be >= 1, got " + batch);
        }
        if (lda < Math.max(1, transA ? m : k) || ldb < Math.max(1, transB ? k : n) || ldc < Math.max(1, n)) {
            throw new IllegalArgumentException("GEMM leading dimension too small: lda=" + lda + " ldb=" + ldb
                    + " ldc=" + ldc + " for m=" + m + " n=" + n + " k=" + k + " transA=" + transA + " transB=" + transB);
        }
    }

    /** A single dense product with tight leading dimensions. */
    public static GemmSpec of(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta) {
        return strided(transA, transB, m, n, k, alpha, beta, Math.max(1, transA ? m : k), Math.max(1, transB ? k : n),
                Math.max(1, n));
    }

    /** A single product with the given leading dimensions (views into larger matrices). */
    public static GemmSpec strided(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta,
            int lda, int ldb, int ldc) {
        return new GemmSpec(transA, transB, m, n, k, alpha, beta, lda, ldb, ldc, 1, 0, 0, 0);
    }

    /** Tight batched product: A, B and C packed one after another. */
    public static GemmSpec batched(boolean transA, boolean transB, int batch, int m, int n, int k, float alpha,
                                   float beta) {
        return new GemmSpec(transA, transB, m, n, k, alpha, beta,
                Math.max(1, transA ? m : k), Math.max(1, transB ? k : n), Math.max(1, n), batch,
                (long) m * k, (long) k * n, (long) m * n);
    }

    /** The same product with another beta. */
    public GemmSpec withBeta(float newBeta) {
        return new GemmSpec(transA, transB, m, n, k, alpha, newBeta, lda, ldb, ldc, batch, strideA, strideB, strideC);
    }

    /**
     * The product restricted to rows [from, to) of op(A) and C (batch 1): the caller passes A and C from that row
     * on (element {@code from} of A when transposed, else {@code from·lda}; element {@code from·ldc} of C).
     */
    public GemmSpec rows(int from, int to) {
        if (batch != 1 || from < 0 || to < from || to > m) {
            throw new IllegalArgumentException("GEMM rows [" + from + ", " + to + ") of " + this);
        }
        return strided(transA, transB, to - from, n, k, alpha, beta, lda, ldb, ldc);
    }

    /** Multiply-adds counted as 2 flops: 2·batch·M·N·K. */
    public double flops() {
        return 2.0 * batch * m * (double) n * k;
    }
}
