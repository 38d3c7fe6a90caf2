package org.wegeft.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.wegeft.kernels.DType;

/**
 * {@code editedLinear}, WeGeFT's representation form as one node whose product edits x as it reads it, gives the
 * bits of {@code linear(lowRankEdit(x, a, b, s), W, bias)}: output and every gradient, float32 and bfloat16 weights,
 * with and without a bias, shapes the fused product takes and shapes it leaves to the composition; it never holds
 * the edited copy of x; and a trainable weight runs the composition.
 */
class EditedLinearTest {

    @ParameterizedTest(name = "{0} rows × {1} → {2}, r {3}, {4}, bias {5}: one node {6}")
    @CsvSource({
        "197, 384, 1536, 16, F32, true, true",       // ViT's fc1 at one image
        "300, 1536, 384, 16, F32, true, true",       // fc2
        "260, 512, 256, 64, BF16, false, true",      // a LLaMA projection at the LLM rank (bf16 weights)
        "64, 512, 2048, 64, BF16, false, false",     // few rows against a wide bf16 weight: swapped, not fused
        "3, 96, 64, 8, F32, true, true",             // six rows (two sequences of three)
        "1, 96, 64, 8, F32, true, false",            // two rows: the decoding kernel's
        "1, 40, 24, 4, BF16, false, false",          // two rows against a wider bf16 weight: swapped
    })
    void equalsTheCompositionBitForBit(int rows, int in, int out, int r, DType wType, boolean withBias,
                                       boolean oneNode) {
        try (TensorScope s = TensorScope.open()) {
            Tensor y = Functional.editedLinear(Tensor.randn(1, 2, rows, in).requiresGrad(true),
                    Tensor.randn(4, out, in).to(wType), withBias ? Tensor.randn(5, out) : null,
                    Tensor.randn(2, r, in).requiresGrad(true), Tensor.randn(3, r, in).requiresGrad(true), 0.75f);
            assertEquals(oneNode ? "EditedLinearOp" : "LinearOp", nodeName(y));
        }
        float[][] fused = run(rows, in, out, r, wType, withBias, true);
        float[][] composed = run(rows, in, out, r, wType, withBias, false);
        String[] names = {"y", "dx", "da", "db"};
        for (int i = 0; i < names.length; i++) {
            assertArrayEquals(composed[i], fused[i], 0f, names[i]);
        }
    }

    /** Output, then the gradients of x, a and b of sum(y·g). */
    private static float[][] run(int rows, int in, int out, int r, DType wType, boolean withBias, boolean fused) {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.randn(1, 2, rows, in).requiresGrad(true);
            Tensor a = Tensor.randn(2, r, in).mul(0.1f).requiresGrad(true);
            Tensor b = Tensor.randn(3, r, in).mul(0.1f).requiresGrad(true);
            Tensor w = Tensor.randn(4, out, in).mul(0.05f).to(wType);
            Tensor bias = withBias ? Tensor.randn(5, out) : null;
            Tensor g = Tensor.randn(6, 2, rows, out);
            Tensor y = fused ? Functional.editedLinear(x, w, bias, a, b, 0.75f)
                    : Functional.linear(Functional.lowRankEdit(x, a, b, 0.75f), w, bias);
            y.mul(g).sum().backward();
            return new float[][] {y.toFloatArray(), x.grad().toFloatArray(), a.grad().toFloatArray(),
                b.grad().toFloatArray()};
        }
    }

    /** Forward adds y and u (r × rows), what the edit keeps, to the live memory: no (rows × in) edited copy of x. */
    @Test
    void forwardHoldsNoEditedCopyOfX() {
        int rows = 1024;
        int in = 384;
        int out = 256;
        int r = 16;
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.randn(7, rows, in).requiresGrad(true);
            Tensor a = Tensor.randn(8, r, in).mul(0.1f).requiresGrad(true);
            Tensor b = Tensor.randn(9, r, in).mul(0.1f).requiresGrad(true);
            Tensor w = Tensor.randn(10, out, in);
            long before = MemoryStats.settled().liveBytes();
            MemoryStats.resetPeaks();
            Tensor y = Functional.editedLinear(x, w, null, a, b, 0.5f);
            long peak = MemoryStats.current().peakLiveBytes() - before;
            long added = MemoryStats.current().liveBytes() - before;
            long yBytes = MemoryPool.classSize((long) rows * out * Float.BYTES);
            long uBytes = MemoryPool.classSize((long) rows * r * Float.BYTES);
            assertEquals(yBytes + uBytes, added, "forward kept " + added + " bytes: y is " + yBytes + ", u " + uBytes);
            assertEquals(yBytes + uBytes, peak, "forward's peak: y and u only");
            y.sum().backward();
            assertEquals(rows * in, x.grad().numel());
        }
    }

    /** A trainable weight gets its gradient through the composition. */
    @Test
    void aTrainableWeightRunsTheComposition() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.randn(11, 64, 32).requiresGrad(true);
            Tensor a = Tensor.randn(12, 4, 32).requiresGrad(true);
            Tensor b = Tensor.randn(13, 4, 32).requiresGrad(true);
            Tensor w = Tensor.randn(14, 16, 32).requiresGrad(true);
            Tensor y = Functional.editedLinear(x, w, null, a, b, 1f);
            assertEquals("LinearOp", nodeName(y));
            y.sum().backward();
            assertEquals(16 * 32, w.grad().numel());
            Tensor frozen = Tensor.randn(14, 16, 32);
            assertEquals("EditedLinearOp", nodeName(Functional.editedLinear(x, frozen, null, a, b, 1f)));
            try (Grad.Mode off = Grad.disabled()) {
                assertNull(Functional.editedLinear(x, frozen, null, a, b, 1f).gradFn);
            }
        }
    }

    private static @Nullable String nodeName(Tensor t) {
        return t.gradFn == null ? null : t.gradFn.name();
    }
}
