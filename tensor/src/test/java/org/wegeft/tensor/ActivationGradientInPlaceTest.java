package org.wegeft.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Objects;

import org.junit.jupiter.api.Test;
import org.wegeft.kernels.BinaryOp;
import org.wegeft.kernels.UnaryOp;

/**
 * An activation's backward writes its input's gradient over the incoming gradient when the engine alone holds that
 * (GELU, SiLU), and the gated form (SwiGLU's silu(gate)·up) computes in its own intermediates: the same bits as the
 * backend's out-of-place kernels, with one activation-sized buffer fewer.
 */
class ActivationGradientInPlaceTest {
    private static final int ROWS = 512;
    private static final int D = 384;

    @Test
    void geluGradientIsTheBackendsDerivativeBitForBit() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.randn(1, ROWS, D).mul(2f).requiresGrad(true);
            Tensor w = Tensor.randn(2, ROWS, D);
            x.gelu().mul(w).sum().backward();
            // the incoming gradient is w (d(sum(y·w))/dy); the reference runs the kernel into a fresh buffer
            try (Tensor ref = Raw.unaryBackward(UnaryOp.GELU_ERF, x.detach(), w)) {
                assertArrayEquals(ref.toFloatArray(), x.grad().toFloatArray(), 0f);
            }
        }
    }

    @Test
    void gatedGradientsAreTheCompositionsBitForBit() {
        try (TensorScope s = TensorScope.open()) {
            Tensor gate = Tensor.randn(3, ROWS, D).mul(2f).requiresGrad(true);
            Tensor up = Tensor.randn(4, ROWS, D).requiresGrad(true);
            Tensor w = Tensor.randn(5, ROWS, D);
            Tensor y = Functional.siluMul(gate, up);
            try (Tensor fa = Raw.unary(UnaryOp.SILU, gate.detach());
                 Tensor ref = Raw.binary(BinaryOp.MUL, fa, up.detach())) {
                assertArrayEquals(ref.toFloatArray(), y.toFloatArray(), 0f);
            }
            y.mul(w).sum().backward();
            try (Tensor gb = Raw.binary(BinaryOp.MUL, w, up.detach());
                 Tensor dGate = Raw.unaryBackward(UnaryOp.SILU, gate.detach(), gb);
                 Tensor fa = Raw.unary(UnaryOp.SILU, gate.detach());
                 Tensor dUp = Raw.binary(BinaryOp.MUL, w, fa)) {
                assertArrayEquals(dGate.toFloatArray(), gate.grad().toFloatArray(), 0f);
                assertArrayEquals(dUp.toFloatArray(), up.grad().toFloatArray(), 0f);
            }
        }
    }

    /** With the incoming gradient its own, GELU's backward returns it overwritten; shared, a new tensor. */
    @Test
    void geluBackwardWritesOverAnExclusiveGradientOnly() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.randn(6, ROWS, D).requiresGrad(true);
            Node gelu = Objects.requireNonNull(x.gelu().gradFn);
            float[] expected;
            try (Tensor w = Tensor.randn(7, ROWS, D); Tensor ref = Raw.unaryBackward(UnaryOp.GELU_ERF, x.detach(), w)) {
                expected = ref.toFloatArray();
            }
            Tensor own = Tensor.randn(7, ROWS, D);
            Tensor dx = gelu.backward(own)[0];
            assertSame(own.storage(), dx.storage(), "an exclusive gradient is written over");
            assertArrayEquals(expected, dx.toFloatArray(), 0f);
            Tensor base = Tensor.randn(7, ROWS, D);
            Tensor shared = base.viewOf(0, base.shapeRef(), base.stridesRef());   // two references to one storage
            Tensor dx2 = gelu.backward(shared)[0];
            assertNotSame(shared.storage(), dx2.storage(), "a shared gradient is left alone");
            assertArrayEquals(expected, dx2.toFloatArray(), 0f);
        }
    }
}
