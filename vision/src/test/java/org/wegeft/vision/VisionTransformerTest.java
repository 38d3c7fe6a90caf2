package org.wegeft.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.wegeft.nn.Identity;
import org.wegeft.peft.PeftModel;
import org.wegeft.peft.TargetModules;
import org.wegeft.peft.wegeft.WeGeFTConfig;
import org.wegeft.peft.wegeft.WeGeFTLinear;
import org.wegeft.tensor.CheckpointKeep;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.MemoryStats;
import org.wegeft.tensor.Tensor;

class VisionTransformerTest {
    private static final VitConfig TINY = VitConfig.of(16, 4, 24, 2, 4, 5);

    private static float[] run(VisionTransformer m, Tensor images) {
        try (var g = Grad.disabled(); Tensor l = m.forward(images)) {
            return l.toFloatArray();
        }
    }

    @Test
    void parameterNamesAreTimmsExactly() {
        VisionTransformer m = new VisionTransformer(TINY, 1);
        List<String> expected = new ArrayList<>(List.of("cls_token", "pos_embed", "patch_embed.proj.weight",
                "patch_embed.proj.bias"));
        for (int i = 0; i < 2; i++) {
            for (String p : List.of("norm1", "attn.qkv", "attn.proj", "norm2", "mlp.fc1", "mlp.fc2")) {
                expected.add("blocks." + i + "." + p + ".weight");
                expected.add("blocks." + i + "." + p + ".bias");
            }
        }
        expected.addAll(List.of("norm.weight", "norm.bias", "head.weight", "head.bias"));
        assertEquals(expected, List.copyOf(m.stateDict().keySet()));
        assertArrayEquals(new long[] {1, 17, 24}, m.posEmbed().shape());
        assertArrayEquals(new long[] {72, 24}, m.stateDict().get("blocks.0.attn.qkv.weight").shape());
        // 12C² + 13C per block, patch 3·4·4·C + C, tokens 17C + C, final norm 2C, head 5C + 5
        long c = 24;
        assertEquals(2 * (12 * c * c + 13 * c) + 48 * c + c + 18 * c + 2 * c + 5 * c + 5, m.parameterCount());
    }

    @Test
    void initialisationIsTimmsTruncatedNormalWithZeroBiasesAndUnitNorms() {
        VisionTransformer m = new VisionTransformer(VitConfig.of(32, 4, 64, 2, 4, 10), 7);
        Map<String, Tensor> s = m.stateDict();
        for (String lin : List.of("blocks.0.attn.qkv", "blocks.1.mlp.fc1", "head")) {
            float[] w = s.get(lin + ".weight").toFloatArray();
            double sq = 0;
            for (float v : w) {
                assertTrue(Math.abs(v) <= 0.04f + 1e-7, lin + " value " + v + " beyond 2 std");
                sq += v * v;
            }
            double std = Math.sqrt(sq / w.length);
            assertEquals(0.02 * 0.88, std, 0.02 * 0.1, lin + " std"); // a normal cut at ±2σ has std 0.88σ
            for (float v : s.get(lin + ".bias").toFloatArray()) {
                assertEquals(0f, v);
            }
        }
        for (float v : s.get("blocks.0.norm1.weight").toFloatArray()) {
            assertEquals(1f, v);
        }
        assertEquals(m.stateDict().get("pos_embed").toFloatArray()[0],
                new VisionTransformer(VitConfig.of(32, 4, 64, 2, 4, 10), 7).posEmbed().toFloatArray()[0],
                "same seed, same weights");
    }

    @ParameterizedTest
    @EnumSource(CheckpointKeep.class)
    void gradientCheckpointingGivesTheSameGradientsAsKeepingActivations(CheckpointKeep keep) {
        float[][] grads = new float[2][];
        float[] losses = new float[2];
        for (int run = 0; run < 2; run++) {
            VisionTransformer m = new VisionTransformer(TINY, 4);
            PeftModel.inject(m, WeGeFTConfig.of(4, 4, TargetModules.of("qkv", "fc2"),
                    List.of(List.of(".*qkv"), List.of(".*fc2"))), 3);
            if (run == 1) {
                m.gradientCheckpointing(keep);
            }
            m.train();
            try (Tensor x = Tensor.randn(9, 2, 3, 16, 16); Tensor l = m.forward(x).square().mean()) {
                l.backward();
                losses[run] = l.item();
            }
            grads[run] = trainableGrads(m);
        }
        assertEquals(losses[0], losses[1]);
        assertTrue(grads[0].length > 100);
        assertArrayEquals(grads[0], grads[1], "checkpointed gradients differ");
        double norm = 0;
        for (float v : grads[0]) {
            norm += v * v;
        }
        assertTrue(norm > 0, "no gradient reached the adapters");
    }

    /**
     * recomputeActivations: the same loss and gradients, bit for bit, with fewer bytes held between forward and
     * backward (at least both norms' outputs and the MLP activation of every block), alone and with checkpointing.
     */
    @ParameterizedTest(name = "adapters={0}, checkpointing={1}")
    @CsvSource({"true,false", "false,false", "true,true"})
    void recomputingActivationsGivesTheSameGradientsWithLessHeld(boolean adapters, boolean checkpointing) {
        float[][] grads = new float[2][];
        float[] losses = new float[2];
        long[] held = new long[2];
        for (int run = 0; run < 2; run++) {
            VisionTransformer m = new VisionTransformer(TINY, 4);
            if (adapters) {
                PeftModel.inject(m, WeGeFTConfig.of(4, 4, TargetModules.of("qkv", "proj", "fc1", "fc2"),
                        List.of(List.of(".*qkv"), List.of(".*fc2"))), 3);
            }
            if (checkpointing) {
                m.gradientCheckpointing(CheckpointKeep.ATTENTION_AND_DOWN_PROJECTIONS);
            }
            m.recomputeActivations(run == 1);
            assertEquals(run == 1, m.recomputeActivations());
            m.train();
            try (Tensor x = Tensor.randn(9, 2, 3, 16, 16)) {
                long before = MemoryStats.settled().liveBytes();   // nothing earlier freed mid-measurement
                try (Tensor l = m.forward(x).square().mean()) {
                    held[run] = MemoryStats.current().liveBytes() - before;
                    l.backward();
                    losses[run] = l.item();
                }
            }
            assertFalse(Grad.isRecomputingActivations(), "the setting ends with the forward");
            grads[run] = trainableGrads(m);
        }
        assertEquals(losses[0], losses[1]);
        assertArrayEquals(grads[0], grads[1], 0f);
        if (!checkpointing) {   // a checkpointed block keeps only its input and kept outputs until backward anyway
            long rows = 2L * 17;
            // with adapters, the first block's norm1 has no input that wants a gradient: it records no node and
            // its output is kept as computed
            long cheap = (TINY.depth() * (2L * TINY.embedDim() + TINY.mlpHidden()) - (adapters ? TINY.embedDim() : 0))
                    * rows * Float.BYTES;
            assertTrue(held[0] - held[1] >= cheap, "held " + held[0] + " vs " + held[1] + " bytes, expected at least "
                    + cheap + " fewer");
        }
    }

    /** Every trainable parameter's gradient, in registration order, as one array. */
    private static float[] trainableGrads(VisionTransformer m) {
        List<Float> all = new ArrayList<>();
        m.trainableParameters().forEach((k, t) -> {
            for (float v : t.grad().toFloatArray()) {
                all.add(v);
            }
        });
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    @Test
    void featuresAndLogitsHaveTheDocumentedShapes() {
        VisionTransformer m = new VisionTransformer(TINY, 2);
        m.eval();
        try (var g = Grad.disabled(); Tensor x = Tensor.randn(3, 3, 3, 16, 16); Tensor f = m.forwardFeatures(x);
             Tensor l = m.forwardHead(f)) {
            assertArrayEquals(new long[] {3, 17, 24}, f.shape());
            assertArrayEquals(new long[] {3, 5}, l.shape());
        }
        try (Tensor wrong = Tensor.zeros(1, 3, 20, 20)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.forward(wrong));
            assertTrue(e.getMessage().contains("withImgSize"), e.getMessage());
        }
    }

    @ParameterizedTest(name = "depth {0}, rate {1} → last block {2}")
    @CsvSource({"1, 0.3, 0.0", "3, 0.1, 0.1", "5, 0.2, 0.2"})
    void dropPathRatesRiseLinearlyOverDepth(int depth, double rate, double last) {
        VisionTransformer m = new VisionTransformer(VitConfig.of(8, 4, 8, depth, 2, 2).withDropPathRate(rate), 0);
        List<VitBlock> blocks = m.blocks();
        assertEquals(0f, blocks.get(0).dropPathRate());
        assertEquals(last, blocks.get(depth - 1).dropPathRate(), 1e-6);
        for (int i = 1; i < depth; i++) {
            assertEquals(rate * i / (depth - 1), blocks.get(i).dropPathRate(), 1e-6);
        }
    }

    @Test
    void dropPathIsTheIdentityInEvalAndSeededPerSampleInTraining() {
        VisionTransformer plain = new VisionTransformer(TINY, 3);
        VisionTransformer dropped = new VisionTransformer(TINY.withDropPathRate(0.5), 3);
        try (Tensor x = Tensor.randn(11, 8, 3, 16, 16)) {
            plain.eval();
            dropped.eval();
            assertArrayEquals(run(plain, x), run(dropped, x), "eval: drop path must not change anything");
            dropped.train();
            VisionTransformer twin = new VisionTransformer(TINY.withDropPathRate(0.5), 3);
            twin.train();
            float[] trained = run(dropped, x);
            assertArrayEquals(run(twin, x), trained, "same seed, same masks");
            assertFalse(Arrays.equals(run(plain, x), trained), "training mode: some residual branch dropped");
        }
    }

    @Test
    void dropPathZeroesOrRescalesWholeSamples() {
        DropPath dp = new DropPath(0.5f, new Random(5));
        try (var g = Grad.disabled(); Tensor x = Tensor.ones(64, 3, 4); Tensor y = dp.forward(x)) {
            float[] v = y.toFloatArray();
            Set<Float> perSample = new TreeSet<>();
            for (int b = 0; b < 64; b++) {
                for (int i = 1; i < 12; i++) {
                    assertEquals(v[b * 12], v[b * 12 + i], "sample " + b + " masked as one");
                }
                perSample.add(v[b * 12]);
            }
            assertEquals(Set.of(0f, 2f), perSample);
        }
    }

    @Test
    void resetHeadChangesTheClassCount() {
        VisionTransformer m = new VisionTransformer(TINY, 4);
        m.eval();
        m.resetHead(7, List.of("a", "b", "c", "d", "e", "f", "g"), new Random(1));
        assertEquals(7, m.config().numClasses());
        assertEquals("g", m.config().labels().get(6));
        assertArrayEquals(new long[] {7, 24}, m.stateDict().get("head.weight").shape());
        try (var g = Grad.disabled(); Tensor x = Tensor.randn(5, 2, 3, 16, 16); Tensor l = m.forward(x)) {
            assertArrayEquals(new long[] {2, 7}, l.shape());
        }
        m.resetHead(0, new Random(1));
        assertTrue(m.head() instanceof Identity);
        assertTrue(m.stateDict().keySet().stream().noneMatch(k -> k.startsWith("head.")));
        try (var g = Grad.disabled(); Tensor x = Tensor.randn(5, 2, 3, 16, 16); Tensor l = m.forward(x)) {
            assertArrayEquals(new long[] {2, 24}, l.shape());
        }
    }

    @Test
    void wegeftAdapterAtAttnProjGetsGradientsAndOnlyAdapterAndHeadTrain() {
        VisionTransformer m = new VisionTransformer(TINY, 5);
        m.resetHead(3, new Random(2));
        WeGeFTConfig cfg = WeGeFTConfig.of(4, 4, TargetModules.of("attn.proj"),
                List.of(List.of("blocks\\.\\d+\\.attn\\.proj"))).withModulesToSave(List.of("head"));
        PeftModel pm = PeftModel.inject(m, cfg, 9);
        assertEquals(2, pm.adapterLayers().size());
        WeGeFTLinear a0 = (WeGeFTLinear) m.module("blocks.0.attn.proj");
        WeGeFTLinear a1 = (WeGeFTLinear) m.module("blocks.1.attn.proj");
        assertSame(a0.phi(), a1.phi(), "tied across blocks");
        Set<String> trainable = m.trainableParameters().keySet();
        assertEquals(Set.of("blocks.0.attn.proj.wegeft_phi.weight", "blocks.0.attn.proj.wegeft_psi.weight",
                "head.weight", "head.bias"), trainable);
        assertEquals(2 * 4 * 24 + 3 * 24 + 3, m.trainableParameterCount());
        m.train();
        try (Tensor x = Tensor.randn(6, 4, 3, 16, 16); Tensor y = Tensor.ofInts(new int[] {0, 1, 2, 1}, 4);
             Tensor logits = m.forward(x); Tensor loss = Functional.crossEntropy(logits, y)) {
            loss.backward();
        }
        m.namedParameters().forEach((name, t) -> {
            if (trainable.contains(name)) {
                assertNotNull(t.grad(), name + " has no gradient");
            } else {
                assertNull(t.grad(), "frozen " + name + " got a gradient");
            }
        });
        // phi starts at zero (ΔW = 0) but its gradient does not; the head's is non-zero too
        for (String name : List.of("blocks.0.attn.proj.wegeft_phi.weight", "head.weight")) {
            float[] g = m.namedParameters().get(name).grad().toFloatArray();
            double norm = 0;
            for (float v : g) {
                norm += v * v;
            }
            assertTrue(norm > 0, name + " gradient is zero");
        }
    }
}
