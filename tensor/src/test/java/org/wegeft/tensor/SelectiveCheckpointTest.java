package org.wegeft.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.wegeft.kernels.Backends;
import org.wegeft.kernels.KernelBackend;
import org.wegeft.kernels.ProfilingBackend;

/**
 * Selective checkpointing ({@link CheckpointKeep#ATTENTION_AND_DOWN_PROJECTIONS}): the same outputs and gradients,
 * bit for bit, as plain checkpointing, with the kept ops' kernels run once instead of twice.
 */
class SelectiveCheckpointTest {

    private final KernelBackend original = Backends.current();

    @AfterEach
    void restoreBackend() {
        Backends.setCurrent(original);
    }

    /** A pre-norm-free Transformer block: x + proj(attn(qkv(x))), then + down(silu(up(h))). */
    private static BiFunction<Tensor, List<Tensor>, Tensor> block(List<Tensor> w, AtomicInteger calls,
                                                                  boolean packed) {
        return (x, cs) -> {
            calls.incrementAndGet();
            try (Tensor qkv = Functional.linear(x, w.get(0), w.get(1));                  // (B, T, 24) widening
                 Tensor merged = attend(qkv, packed);                                      // kept
                 Tensor p = Functional.linear(merged, w.get(2), null);                      // 8 → 8: recomputed
                 Tensor h = x.add(p);
                 Tensor up = Functional.linear(h, w.get(3), null);                          // 8 → 16: recomputed
                 Tensor a = up.silu();
                 Tensor down = Functional.linear(a, w.get(4), null)) {                      // 16 → 8: kept
                return h.add(down);
            }
        };
    }

    /** Two heads of 4 from qkv (B, T, 24), merged to (B, T, 8): through the packed op, or split/sdpa/merge. */
    private static Tensor attend(Tensor qkv, boolean packed) {
        if (packed) {
            return Functional.packedQkvAttention(qkv, 2, false, 0.5f);
        }
        long b = qkv.size(0);
        long t = qkv.size(1);
        try (Tensor five = qkv.reshape(b, t, 3, 2, 4);
             Tensor heads = five.permute(2, 0, 3, 1, 4);                                   // (3, B, H, T, D)
             Tensor q = heads.select(0, 0); Tensor k = heads.select(0, 1); Tensor v = heads.select(0, 2);
             Tensor o = Functional.scaledDotProductAttention(q, k, v, false);
             Tensor ot = o.permute(0, 2, 1, 3)) {
            return ot.reshape(b, t, 8);
        }
    }

    private static List<Tensor> weights() {
        return List.of(Tensor.randn(1, 24, 8).requiresGrad(true), Tensor.randn(2, 24).requiresGrad(true),
                Tensor.randn(3, 8, 8).requiresGrad(true), Tensor.randn(4, 16, 8).requiresGrad(true),
                Tensor.randn(5, 8, 16).requiresGrad(true));
    }

    private record Run(float[] out, float[] grads, long attentionCalls, long downProjectionCalls, int fnCalls) {}

    /** keep == null: no checkpoint at all. */
    private static Run run(CheckpointKeep keep, boolean packed) {
        ProfilingBackend prof = ProfilingBackend.wrap(Backends.current());
        Backends.setCurrent(prof);
        List<Tensor> w = weights();
        try (Tensor x = Tensor.randn(7, 2, 5, 8).requiresGrad(true); Tensor gy = Tensor.randn(8, 2, 5, 8)) {
            AtomicInteger calls = new AtomicInteger();
            var fn = block(w, calls, packed);
            Tensor y = keep == null ? fn.apply(x, List.of()) : Functional.checkpoint(fn, x, List.of(), w, keep);
            float[] out;
            try (y) {
                out = y.toFloatArray();
                y.backward(gy);
            }
            Tensor[] all = new Tensor[w.size() + 1];
            for (int i = 0; i < w.size(); i++) {
                all[i] = w.get(i).grad();
            }
            all[w.size()] = x.grad();
            long attention = 0;
            long down = 0;
            for (ProfilingBackend.Line l : prof.lines()) {
                if (l.kernel().startsWith("attention ")) {
                    attention += l.calls();
                }
                if (l.kernel().startsWith("gemm NT 10x8x16")) {
                    down += l.calls();
                }
            }
            return new Run(out, CheckpointTest.concat(all), attention, down, calls.get());
        } finally {
            for (Tensor t : w) {
                t.close();
            }
            Backends.setCurrent(prof.delegate());
        }
    }

    @ParameterizedTest(name = "packed q|k|v attention: {0}")
    @ValueSource(booleans = {false, true})
    void sameBitsAsPlainCheckpointingWithTheKeptKernelsRunOnce(boolean packed) {
        Run plain = run(null, packed);
        Run full = run(CheckpointKeep.NOTHING, packed);
        Run selective = run(CheckpointKeep.ATTENTION_AND_DOWN_PROJECTIONS, packed);
        assertArrayEquals(full.out(), selective.out(), 0f);
        assertArrayEquals(full.grads(), selective.grads(), 0f);
        assertArrayEquals(plain.out(), selective.out(), 0f);
        assertArrayEquals(plain.grads(), selective.grads(), 1e-5f);
        assertEquals(2, full.fnCalls());
        assertEquals(2, selective.fnCalls(), "the function is still rerun to build the graph");
        assertEquals(1, plain.attentionCalls());
        assertEquals(2, full.attentionCalls(), "plain checkpointing recomputes attention");
        assertEquals(1, selective.attentionCalls(), "the kept attention output is not recomputed");
        assertEquals(2, full.downProjectionCalls());
        assertEquals(1, selective.downProjectionCalls(), "the kept down projection is not recomputed");
    }

    @Test
    void aRecomputationThatTakesAnotherPathFails() {
        List<Tensor> w = weights();
        try (Tensor x = Tensor.randn(7, 2, 5, 8).requiresGrad(true); Tensor narrow = Tensor.randn(9, 4, 16);
             Tensor gy = Tensor.randn(8, 2, 5, 8)) {
            AtomicInteger calls = new AtomicInteger();
            BiFunction<Tensor, List<Tensor>, Tensor> fn = (in, cs) -> {
                // the second run narrows to 4 instead of 8: the kept output no longer fits
                Tensor wDown = calls.incrementAndGet() == 1 ? w.get(4) : narrow;
                try (Tensor up = Functional.linear(in, w.get(3), null); Tensor a = up.silu();
                     Tensor down = Functional.linear(a, wDown, null)) {
                    return down.sum();
                }
            };
            Tensor y = Functional.checkpoint(fn, x, List.of(), w, CheckpointKeep.ATTENTION_AND_DOWN_PROJECTIONS);
            try (y) {
                IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
                assertTrue(e.getMessage().contains("different path"), e.getMessage());
            }
        } finally {
            for (Tensor t : w) {
                t.close();
            }
        }
    }

    @Test
    void aSelectiveCheckpointInsideAnotherIsRefused() {
        List<Tensor> w = weights();
        try (Tensor x = Tensor.randn(7, 2, 5, 8).requiresGrad(true)) {
            BiFunction<Tensor, List<Tensor>, Tensor> inner = (in, cs) -> Functional.linear(in, w.get(2), null);
            BiFunction<Tensor, List<Tensor>, Tensor> outer = (in, cs) -> {
                try (Tensor h = Functional.checkpoint(inner, in, List.of(), List.of(w.get(2)),
                        CheckpointKeep.ATTENTION_AND_DOWN_PROJECTIONS)) {
                    return h.sum();
                }
            };
            Tensor y = Functional.checkpoint(outer, x, List.of(), List.of(w.get(2)),
                    CheckpointKeep.ATTENTION_AND_DOWN_PROJECTIONS);
            try (y) {
                IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
                assertTrue(e.getMessage().contains("inside a selective checkpoint"), e.getMessage());
            }
        } finally {
            for (Tensor t : w) {
                t.close();
            }
        }
    }
}
