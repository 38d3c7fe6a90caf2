package org.wegeft.kernels.scalar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.wegeft.kernels.TestBuffers.assertClose;
import static org.wegeft.kernels.TestBuffers.floats;
import static org.wegeft.kernels.TestBuffers.toArray;
import static org.wegeft.kernels.TestBuffers.uniform;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.wegeft.kernels.GemmSpec;

class ScalarAttentionTest {
    private final ScalarBackend scalar = new ScalarBackend();

    @ParameterizedTest(name = "bh={0} tq={1} tk={2} d={3} causal={4}")
    @CsvSource({"1,1,1,1,false", "2,3,5,4,false", "2,4,4,8,true", "1,3,7,4,true", "1,5,3,2,true"})
    void attentionEqualsSoftmaxOfScaledScoresTimesValues(int bh, int tq, int tk, int d, boolean causal) {
        // the composition gemm(QKᵀ) → softmax(causal, tq) → gemm(P·V) must give the fused kernel's output
        float scale = 0.7f;
        Random rng = new Random(tq * 10 + tk);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment q = floats(arena, uniform(rng, bh * tq * d, -1f, 1f));
            MemorySegment k = floats(arena, uniform(rng, bh * tk * d, -1f, 1f));
            MemorySegment v = floats(arena, uniform(rng, bh * tk * d, -1f, 1f));
            MemorySegment scores = floats(arena, new float[bh * tq * tk]);
            scalar.gemm(new GemmSpec(false, true, tq, tk, d, scale, 0f, d, d, tk, bh, (long) tq * d, (long) tk * d,
                    (long) tq * tk), q, k, scores);
            MemorySegment p = floats(arena, new float[bh * tq * tk]);
            scalar.softmax(scores, p, bh * tq, tk, causal, tq);
            MemorySegment composed = floats(arena, new float[bh * tq * d]);
            scalar.gemm(GemmSpec.batched(false, false, bh, tq, d, tk, 1f, 0f), p, v, composed);

            MemorySegment out = floats(arena, new float[bh * tq * d]);
            MemorySegment lse = floats(arena, new float[bh * tq]);
            scalar.attention(q, k, v, out, lse, bh, tq, tk, d, scale, causal);
            assertClose("attention out", toArray(composed, (long) bh * tq * d), toArray(out, (long) bh * tq * d),
                    1e-6, 1e-5);

            // lse = log Σ_visible exp(score); −inf for a fully masked row
            float[] s = toArray(scores, (long) bh * tq * tk);
            float[] l = toArray(lse, (long) bh * tq);
            for (int r = 0; r < bh * tq; r++) {
                double sum = 0;
                for (int j = 0; j < tk; j++) {
                    if (!causal || j <= r % tq + tk - tq) {
                        sum += Math.exp(s[r * tk + j]);
                    }
                }
                assertEquals((float) Math.log(sum), l[r], 1e-5f, "lse of row " + r);
            }
        }
    }

    @Test
    void ropeRotatesEachHalfSplitPairByItsAngle() {
        // x = [1, 2, 3, 4] (d = 4, h = 2): pairs (x0, x2) and (x1, x3)
        float c0 = 0.6f;
        float s0 = 0.8f;
        float c1 = 0f;
        float s1 = 1f;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment y = floats(arena, new float[4]);
            scalar.rope(floats(arena, 1, 2, 3, 4), y, floats(arena, c0, c1), floats(arena, s0, s1), 1, 1, 4, false);
            float[] want = {1 * c0 - 3 * s0, 2 * c1 - 4 * s1, 3 * c0 + 1 * s0, 4 * c1 + 2 * s1};
            assertClose("rope", want, toArray(y, 4), 1e-7, 1e-6);
        }
    }

    @Test
    void ropeInverseIsTheTransposeAndUndoesARotation() {
        int n = 2;
        int t = 5;
        int d = 8;
        Random rng = new Random(3);
        float[] x = uniform(rng, n * t * d, -1f, 1f);
        float[] y = uniform(rng, n * t * d, -1f, 1f);
        // arbitrary cos/sin (not unit): ⟨R x, y⟩ = ⟨x, Rᵀ y⟩ holds for any 2×2 blocks [[c, −s], [s, c]]
        float[] cos = uniform(rng, t * d / 2, -1.5f, 1.5f);
        float[] sin = uniform(rng, t * d / 2, -1.5f, 1.5f);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rx = floats(arena, x);
            scalar.rope(rx, rx, floats(arena, cos), floats(arena, sin), n, t, d, false); // in place
            MemorySegment ry = floats(arena, new float[n * t * d]);
            scalar.rope(floats(arena, y), ry, floats(arena, cos), floats(arena, sin), n, t, d, true);
            assertEquals(FiniteDifferences.weightedSum(toArray(rx, (long) n * t * d), y),
                    FiniteDifferences.weightedSum(x, toArray(ry, (long) n * t * d)), 1e-5, "<rope(x), y> vs <x, rope⁻¹(y)>");

            // with real angles (cos² + sin² = 1) the inverse undoes the rotation
            float[] c = new float[t * d / 2];
            float[] s = new float[t * d / 2];
            for (int i = 0; i < c.length; i++) {
                c[i] = (float) Math.cos(0.3 * i);
                s[i] = (float) Math.sin(0.3 * i);
            }
            MemorySegment z = floats(arena, x);
            scalar.rope(z, z, floats(arena, c), floats(arena, s), n, t, d, false);
            scalar.rope(z, z, floats(arena, c), floats(arena, s), n, t, d, true);
            assertClose("rope⁻¹(rope(x))", x, toArray(z, (long) n * t * d), 1e-6, 1e-6);
        }
    }
}
