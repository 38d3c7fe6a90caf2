package org.wegeft.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TensorOptimTest {
    @Test
    void stateOutlivesTheScopeItWasCreatedIn() {
        Tensor state;
        try (var s = TensorScope.open()) {
            state = TensorOptim.stateLike(Tensor.ones(2, 3));
        }
        assertFalse(state.isClosed());
        assertEquals(0f, state.get(1, 2));
        state.close();
    }

    @Test
    void adamwStepTakesAStridedGradientAndRejectsBadArguments() {
        try (var s = TensorScope.open()) {
            Tensor p = Tensor.ones(2, 3);
            Tensor m = Tensor.zeros(2, 3);
            Tensor v = Tensor.zeros(2, 3);
            Tensor g = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2).t(); // (2, 3), not contiguous
            TensorOptim.adamwStep(p, g, m, v, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, 1);
            // first step: m̂ = g, v̂ = g², update = lr·sign(g)
            assertEquals(0.9f, p.get(0, 0), 1e-6);
            assertEquals(0.3f, m.get(0, 1), 1e-6); // m = (1−β1)·g, g[0, 1] = 3 through the transposed view
            assertThrows(IllegalArgumentException.class,
                    () -> TensorOptim.adamwStep(p, g, m, v, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, 0));
            assertThrows(ShapeMismatchException.class,
                    () -> TensorOptim.adamwStep(p, Tensor.ones(3, 2), m, v, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, 1));
        }
    }
}
