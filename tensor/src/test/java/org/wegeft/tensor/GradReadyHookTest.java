package org.wegeft.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tensor.onGradReady: once per leaf per backward, with the gradient backward ends with, last layers first. */
class GradReadyHookTest {
    /** Each firing: the leaf's name and a copy of its gradient at that moment. */
    private static Map<String, List<float[]>> watch(Map<String, Tensor> leaves, List<String> order) {
        Map<String, List<float[]>> seen = new LinkedHashMap<>();
        leaves.forEach((name, t) -> {
            seen.put(name, new ArrayList<>());
            t.onGradReady(leaf -> {
                assertTrue(leaf == t);
                seen.get(name).add(leaf.grad().toFloatArray());
                order.add(name);
            });
        });
        return seen;
    }

    /**
     * w1 feeds the first layer and, through a checkpointed block, the last one too; w2 only the last layer; b is
     * used twice in one op; unused never enters the graph.
     */
    private static Tensor forward(Tensor x, Tensor w1, Tensor w2, Tensor b) {
        try (Tensor h = Functional.linear(x, w1, null); Tensor a = h.silu();
             Tensor late = Functional.checkpoint((in, cs) -> {
                 try (Tensor u = Functional.linear(in, w1, null)) {
                     return Functional.linear(u, w2, null);
                 }
             }, a, List.of(), List.of(w1, w2));
             Tensor bb = b.mul(b); Tensor y = late.add(bb)) {
            return y.sum();
        }
    }

    @Test
    void firesOncePerLeafPerBackwardWithItsFinalGradientLastLayersFirst() {
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = Tensor.randn(1, 3, 4);
            Tensor w1 = Tensor.randn(2, 4, 4).requiresGrad(true);
            Tensor w2 = Tensor.randn(3, 5, 4).requiresGrad(true);
            Tensor b = Tensor.randn(4, 5).requiresGrad(true);
            Tensor unused = Tensor.randn(5, 2).requiresGrad(true);
            List<String> order = new ArrayList<>();
            Map<String, List<float[]>> seen = watch(Map.of("w1", w1, "w2", w2, "b", b, "unused", unused), order);
            List<float[]> finals = new ArrayList<>();
            for (int pass = 0; pass < 2; pass++) {             // the second backward accumulates into the first
                forward(x, w1, w2, b).backward();
                finals.add(w1.grad().toFloatArray());
                finals.add(w2.grad().toFloatArray());
                finals.add(b.grad().toFloatArray());
            }
            for (String name : List.of("w1", "w2", "b")) {
                assertEquals(2, seen.get(name).size(), name + " fires once per backward");
            }
            assertEquals(0, seen.get("unused").size(), "a leaf outside the graph gets no call");
            for (int pass = 0; pass < 2; pass++) {
                assertArrayEquals(finals.get(3 * pass), seen.get("w1").get(pass), "w1, backward " + pass);
                assertArrayEquals(finals.get(3 * pass + 1), seen.get("w2").get(pass), "w2, backward " + pass);
                assertArrayEquals(finals.get(3 * pass + 2), seen.get("b").get(pass), "b, backward " + pass);
            }
            // w2 is done once the checkpointed block's backward ran; w1 waits for the first layer's
            assertTrue(order.indexOf("w2") < order.indexOf("w1"), order.toString());
        }
    }

    @Test
    void removedHookIsNotCalledAndLeafRootFires() {
        try (TensorScope scope = TensorScope.open()) {
            Tensor w = Tensor.randn(6, 3).requiresGrad(true);
            int[] calls = new int[1];
            w.onGradReady(t -> calls[0]++);
            w.backward(Tensor.ones(3));
            assertEquals(1, calls[0], "backward from the leaf itself");
            w.onGradReady(null);
            try (Tensor s = w.mul(w).sum()) {
                s.backward();
            }
            assertEquals(1, calls[0]);
            try (Tensor y = w.mul(2f)) {
                assertThrows(IllegalStateException.class, () -> y.onGradReady(t -> { }));
            }
        }
    }

    @Test
    void copyToAndFromABufferRoundTrips() {
        try (TensorScope scope = TensorScope.open()) {
            Tensor a = Tensor.randn(7, 3, 5);
            FloatBuffer buf = ByteBuffer.allocateDirect(4 * 20).order(ByteOrder.nativeOrder()).asFloatBuffer();
            buf.position(2);
            a.t().copyTo(buf);                                    // a strided view is copied row-major
            assertEquals(17, buf.position());
            Tensor b = Tensor.zeros(5, 3);
            buf.position(2);
            b.copyFrom(buf);
            assertArrayEquals(a.t().contiguous().toFloatArray(), b.toFloatArray());
            buf.position(10);
            assertThrows(IndexOutOfBoundsException.class, () -> b.copyFrom(buf));
        }
    }
}
