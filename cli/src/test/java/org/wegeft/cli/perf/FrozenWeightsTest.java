package org.wegeft.cli.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.wegeft.kernels.DType;
import org.wegeft.llm.DecoderConfig;
import org.wegeft.llm.CausalLM;
import org.wegeft.nn.Linear;
import org.wegeft.nn.Module;
import org.wegeft.peft.FineTuningMethods;
import org.wegeft.peft.PeftModel;
import org.wegeft.tensor.Tensor;

/** Benchmark models with bf16 frozen weights: what is converted, what stays float32, tied tables kept tied. */
class FrozenWeightsTest {
    @Test
    void aBf16VitHasFrozenBf16LinearWeightsAndAFloat32Head() {
        Module vit = BenchModel.VIT_TI16.build(3, DType.BF16);
        Map<String, Tensor> p = vit.namedParameters();
        int bf16 = 0;
        for (var e : p.entrySet()) {
            String k = e.getKey();
            boolean linearWeight = k.matches("blocks\\.\\d+\\.(attn\\.qkv|attn\\.proj|mlp\\.fc1|mlp\\.fc2)\\.weight");
            assertEquals(linearWeight ? DType.BF16 : DType.F32, e.getValue().dtype(), k);
            bf16 += linearWeight ? 1 : 0;
        }
        assertEquals(12 * 4, bf16);
        assertEquals(BenchModel.VIT_TI16.build(3).parameterCount(), vit.parameterCount());
        PeftModel peft = BenchModel.VIT_TI16.apply(vit, FineTuningMethods.named("wegeft"), 4, 3);
        assertTrue(p.get("head.weight").requiresGrad(), "the new head trains");
        assertFalse(p.get("blocks.0.attn.qkv.weight").requiresGrad());
        assertTrue(peft.trainableReport().trainable() > 0);
    }

    @Test
    void fullFineTuningWidensEveryBf16WeightToTrainableFloat32() {
        Module vit = BenchModel.VIT_TI16.build(3, DType.BF16);
        BenchModel.VIT_TI16.apply(vit, FineTuningMethods.named("full"), 4, 3);
        vit.namedParameters().forEach((k, t) -> {
            assertEquals(DType.F32, t.dtype(), k);
            assertTrue(t.requiresGrad(), k);
        });
    }

    @Test
    void aTiedTableConvertsOnceAndStaysShared() {
        DecoderConfig c = DecoderConfig.tiny(40, 16, 24, 1, 4, 2).withTieWordEmbeddings(true);
        try (CausalLM lm = new CausalLM(c, 5, DType.BF16)) {
            float[] before = lm.model().embedTokens().weight().toFloatArray();
            assertEquals(1, FrozenWeights.convert(lm, DType.F32, path -> path.equals("lm_head")));
            Tensor table = lm.model().embedTokens().weight();
            assertSame(table, ((Linear) lm.lmHead()).weight(), "lm_head and embed_tokens still share one tensor");
            assertEquals(DType.F32, table.dtype());
            assertEquals(DType.BF16, lm.namedParameters().get("model.layers.0.self_attn.q_proj.weight").dtype());
            org.junit.jupiter.api.Assertions.assertArrayEquals(before, table.toFloatArray(), "widening is exact");
        }
    }
}
