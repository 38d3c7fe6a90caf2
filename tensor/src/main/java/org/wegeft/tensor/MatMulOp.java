package org.wegeft.tensor;

import org.jspecify.annotations.Nullable;

/**
 * a (..., M, K) · b (..., K, N) → (..., M, N), batch dims broadcast. Transposed views reach the GEMM as
 * transA/transB flags, and (B, T, C)·(C, D) runs as one GEMM over B·T rows.
 * Backward: dA = dC·Bᵀ, dB = Aᵀ·dC, each summed over the batch dims its operand was broadcast on.
 */
final class MatMulOp extends Node {
    private final long[] aShape;
    private final long[] bShape;
    private final @Nullable Tensor a;
    private final @Nullable Tensor b;

    private MatMulOp(Tensor a, Tensor b) {
        super(a, b);
        aShape = a.shape();
        bShape = b.shape();
        this.a = needsGrad(1) ? save(a) : null;
        this.b = needsGrad(0) ? save(b) : null;
    }

    static Tensor apply(Tensor a, Tensor b) {
        Tensor out = Raw.matmul(a, b);
        return Node.shouldRecord(a, b) ? Node.record(out, new MatMulOp(a, b)) : out;
    }

    @Override
    @Nullable Tensor[] backward(Tensor g) {
        Tensor ga = null;
        Tensor gb = null;
        if (b != null) {
            // dA = g · Bᵀ   (..., M, N)·(..., N, K)
            try (Tensor bt = b.transpose(-1, -2); Tensor full = Raw.matmul(g, bt)) {
                ga = Raw.sumToShape(full, aShape);
            }
        }
        if (a != null) {
            long k = aShape[aShape.length - 1];
            long n = bShape[bShape.length - 1];
            if (bShape.length == 2 && aShape.length > 2) {
                // b shared by the whole batch: dB = A_flatᵀ · g_flat, one GEMM over all rows
                try (Tensor af = a.reshape(-1, k); Tensor gf = g.reshape(-1, n); Tensor aft = af.t()) {
                    gb = Raw.matmul(aft, gf);
                }
            } else {
                try (Tensor at = a.transpose(-1, -2); Tensor full = Raw.matmul(at, g)) {
                    gb = Raw.sumToShape(full, bShape);
                }
            }
        }
        return new Tensor[] {ga, gb};
    }
}
