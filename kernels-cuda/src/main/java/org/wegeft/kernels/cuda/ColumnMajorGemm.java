package org.wegeft.kernels.cuda;

import org.wegeft.kernels.GemmSpec;

/**
 * A column-major (BLAS / cuBLAS) GEMM call: {@code C = alpha·op(A)·op(B) + beta·C} with op(A) (m×k), op(B) (k×n),
 * C (m×n), leading dimensions being column strides.
 *
 * <p>Mapping from our row-major {@link GemmSpec}: row-major C (M×N, ldc) read column-major with the same leading
 * dimension is Cᵀ (N×M), and Cᵀ = op(B)ᵀ·op(A)ᵀ. A row-major matrix read column-major is its transpose, so the
 * cuBLAS call takes <b>our B as its A</b> and <b>our A as its B</b>, each transposed exactly when ours is, with
 * m = N, n = M, k = K and the leading dimensions and batch strides unchanged.
 *
 * @param aIsOurB always true: the call's A operand is the spec's B buffer (kept explicit for the tests)
 */
record ColumnMajorGemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta, int lda,
                       int ldb, int ldc, int batch, long strideA, long strideB, long strideC, boolean aIsOurB) {

    static ColumnMajorGemm of(GemmSpec s) {
        return new ColumnMajorGemm(s.transB(), s.transA(), s.n(), s.m(), s.k(), s.alpha(), s.beta(), s.ldb(), s.lda(),
                s.ldc(), s.batch(), s.strideB(), s.strideA(), s.strideC(), true);
    }

    /** Whether the product has no output (m or n is 0): cuBLAS is not called. */
    boolean empty() {
        return m == 0 || n == 0;
    }
}
