package org.wegeft.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.wegeft.peft.PeftModel;
import org.wegeft.peft.TargetModules;
import org.wegeft.peft.wegeft.WeGeFTConfig;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.MemoryStats;
import org.wegeft.tensor.Tensor;

/**
 * {@link CausalLM#recomputeActivations(boolean)}: the same loss and gradients, bit for bit, with the RMS
 * norms' outputs and the MLP gate's output of every layer given back between forward and backward.
 */
class RecomputeActivationsTest {
    private static final int HIDDEN = 32;
    private static final int INTERMEDIATE = 64;
    private static final int LAYERS = 2;

    private record Run(float loss, Map<String, float[]> grads, long held) {}

    @ParameterizedTest(name = "adapters={0}, padded={1}")
    @CsvSource({"true,false", "false,false", "true,true"})
    void sameGradientsWithLessHeld(boolean adapters, boolean padded) {
        Run kept = run(adapters, padded, false);
        Run recomputed = run(adapters, padded, true);
        assertEquals(kept.loss(), recomputed.loss());
        assertEquals(kept.grads().keySet(), recomputed.grads().keySet());
        assertFalse(kept.grads().isEmpty());
        kept.grads().forEach((k, g) -> assertArrayEquals(g, recomputed.grads().get(k), 0f, k));
        long rows = 2L * 8;
        // with adapters, nothing before the first layer's input norm wants a gradient: that norm records no node,
        // and its output is kept as computed (recomputing it would keep its input alive instead)
        long cheap = (LAYERS * (2L * HIDDEN + INTERMEDIATE) - (adapters ? HIDDEN : 0)) * rows * Float.BYTES;
        assertTrue(kept.held() - recomputed.held() >= cheap, "held " + kept.held() + " vs " + recomputed.held()
                + " bytes, expected at least " + cheap + " fewer");
    }

    private static Run run(boolean adapters, boolean padded, boolean recompute) {
        DecoderConfig c = DecoderConfig.tiny(128, HIDDEN, INTERMEDIATE, LAYERS, 4, 2).withRope(500000, null);
        try (CausalLM model = new CausalLM(c, 7)) {
            if (adapters) {
                PeftModel pm = PeftModel.inject(model, WeGeFTConfig.of(4, 8, TargetModules.of("q_proj", "v_proj",
                        "up_proj", "down_proj"), List.of(List.of(".*\\.q_proj"), List.of(".*\\.v_proj"))), 3);
                try (Grad.Mode off = Grad.disabled()) {        // non-zero phi so psi gets a gradient too
                    pm.adapterState().forEach((k, t) -> {
                        try (Tensor r = Tensor.randn(k.hashCode(), t.shape()); Tensor s = r.mul(0.1f)) {
                            t.copyFrom(s);
                        }
                    });
                }
            }
            model.train();
            model.recomputeActivations(recompute);
            float loss;
            long held;
            try (Tensor ids = Tensor.ofInts(GradientCheckpointingTest.IDS, 2, 8);
                 Tensor mask = Tensor.ofInts(new int[] {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 2, 8);
                 Tensor targets = Tensor.ofInts(new int[] {9, 27, 81, 115, 89, 11, 33, -100, 41, 7, 2, 64, 100, 5,
                         77, -100}, 2, 8)) {
                long before = MemoryStats.settled().liveBytes();   // nothing earlier freed mid-measurement
                try (Tensor logits = model.forward(ids, padded ? mask : null, null, null);
                     Tensor l = Functional.crossEntropy(logits, targets)) {
                    held = MemoryStats.current().liveBytes() - before;
                    l.backward();
                    loss = l.item();
                }
            }
            assertFalse(Grad.isRecomputingActivations(), "the setting ends with the forward");
            Map<String, float[]> out = new LinkedHashMap<>();
            model.trainableParameters().forEach((k, t) -> out.put(k, t.grad() == null ? new float[0]
                    : t.grad().toFloatArray()));
            return new Run(loss, out, held);
        }
    }
}
