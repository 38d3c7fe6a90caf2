package org.wegeft.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What the rank-r edit y = x + s·(x aᵀ) b keeps for backward, and that its gradients do not depend on what is kept. */
class LowRankEditTest {
    private static final int ROWS = 4096;
    private static final int D = 64;
    private static final int R = 32;

    /** b's gradient with a trainable (x saved beside u) or frozen (u alone saved): the same bits. */
    @Test
    void gradientOfBIsTheSameWhetherOrNotXIsSaved() {
        assertArrayEquals(gradOfB(false), gradOfB(true), 0f);
    }

    private static float[] gradOfB(boolean aTrainable) {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.randn(1, 37, D).requiresGrad(true);
            Tensor a = Tensor.randn(2, R, D).mul(0.2f).requiresGrad(aTrainable);
            Tensor b = Tensor.randn(3, R, D).mul(0.2f).requiresGrad(true);
            Tensor g = Tensor.randn(4, 37, D);
            Functional.lowRankEdit(x, a, b, 0.7f).mul(g).sum().backward();
            return b.grad().toFloatArray();
        }
    }

    /**
     * With a and b trainable the node keeps x (held by the caller anyway) and u, (r × rows), as a LoRA layer keeps its
     * (rows × r) projection: forward adds y and u to the live memory and nothing else.
     */
    @Test
    void keepsUAndNothingElse() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.randn(5, ROWS, D).requiresGrad(true);
            Tensor a = Tensor.randn(6, R, D).mul(0.1f).requiresGrad(true);
            Tensor b = Tensor.randn(7, R, D).mul(0.1f).requiresGrad(true);
            long before = MemoryStats.settled().liveBytes();
            Tensor y = Functional.lowRankEdit(x, a, b, 0.5f);
            long added = MemoryStats.current().liveBytes() - before;
            long yBytes = MemoryPool.classSize((long) ROWS * D * Float.BYTES);
            long uBytes = MemoryPool.classSize((long) ROWS * R * Float.BYTES);
            assertEquals(yBytes + uBytes, added, "forward kept " + added + " bytes: y is " + yBytes + ", u " + uBytes);
            y.sum().backward();
            assertEquals(ROWS * D, x.grad().numel());
        }
    }
}
