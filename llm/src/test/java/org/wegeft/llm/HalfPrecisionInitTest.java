package org.wegeft.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.wegeft.kernels.DType;
import org.wegeft.tensor.Tensor;

/** A fresh model with BF16 weights: the float32 init rounded, frozen, whatever the block it is drawn in. */
class HalfPrecisionInitTest {
    private static DecoderConfig config(boolean tied) {
        return DecoderConfig.tiny(50, 16, 24, 2, 4, 2).withTieWordEmbeddings(tied);
    }

    @ParameterizedTest(name = "tied {0}")
    @ValueSource(booleans = {false, true})
    void bf16WeightsAreTheFloat32InitRoundedAndFrozen(boolean tied) {
        DecoderConfig c = config(tied);
        // a block of 40 elements is two rows of 16: every matrix is drawn in several blocks
        try (CausalLM f32 = new CausalLM(c, 11);
             CausalLM blocks = new CausalLM(c, new RandomWeights(11, 0.02, DType.BF16, 40));
             CausalLM bf16 = new CausalLM(c, 11, DType.BF16)) {
            Map<String, Tensor> ref = f32.namedParameters();
            Map<String, Tensor> small = blocks.namedParameters();
            Map<String, Tensor> got = bf16.namedParameters();
            assertEquals(ref.keySet(), got.keySet());
            for (var e : ref.entrySet()) {
                String k = e.getKey();
                Tensor r = e.getValue();
                Tensor g = got.get(k);
                if (r.dim() == 2) {
                    assertEquals(DType.BF16, g.dtype(), k);
                    assertFalse(g.requiresGrad(), k + " is frozen");
                    try (Tensor rounded = r.to(DType.BF16)) {
                        assertArrayEquals(rounded.toFloatArray(), g.toFloatArray(), k);
                    }
                } else {
                    assertEquals(DType.F32, g.dtype(), k + ": norms stay float32");
                    assertTrue(g.requiresGrad(), k);
                    assertArrayEquals(r.toFloatArray(), g.toFloatArray(), k);
                }
                assertArrayEquals(g.toFloatArray(), small.get(k).toFloatArray(), k + ": the block size changes nothing");
            }
            if (tied) {
                assertSame(bf16.model().embedTokens().weight(), ((org.wegeft.nn.Linear) bf16.lmHead()).weight());
            }
            try (Tensor ids = Tensor.ofInts(new int[] {1, 2, 3}, 1, 3); Tensor logits = bf16.forward(ids)) {
                assertArrayEquals(new long[] {1, 3, 50}, logits.shape());
            }
        }
    }

    @Test
    void anIntegerWeightDtypeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new CausalLM(config(false), 1, DType.I32));
    }
}
