package org.wegeft.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.wegeft.peft.PeftModel;
import org.wegeft.peft.TargetModules;
import org.wegeft.peft.wegeft.WeGeFTConfig;
import org.wegeft.tensor.CheckpointKeep;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.testing.TensorFixtures;

/**
 * Gradients with gradient checkpointing (plain and selective) equal those without (1e-6 relative), for full and
 * WeGeFT training.
 */
class GradientCheckpointingTest {
    static final int[] IDS = {3, 9, 27, 81, 115, 89, 11, 33, 99, 41, 7, 2, 64, 100, 5, 77};

    @ParameterizedTest(name = "adapter={0}, padded={1}, keep={2}")
    @CsvSource({"false,false,NOTHING", "true,false,NOTHING", "true,true,NOTHING", "false,true,NOTHING",
            "true,false,ATTENTION_AND_DOWN_PROJECTIONS", "false,true,ATTENTION_AND_DOWN_PROJECTIONS"})
    void gradientsMatchWithoutCheckpointing(boolean adapter, boolean padded, CheckpointKeep keep) {
        Map<String, float[]> plain = grads(adapter, padded, null);
        Map<String, float[]> ckpt = grads(adapter, padded, keep);
        assertEquals(plain.keySet(), ckpt.keySet());
        assertTrue(!plain.isEmpty());
        for (String k : plain.keySet()) {
            double err = TensorFixtures.maxRelError(k + " gradient", ckpt.get(k), plain.get(k));
            assertTrue(err <= 1e-6, k + ": max relative diff " + err);
        }
    }

    /** keep == null: no checkpointing. */
    private static Map<String, float[]> grads(boolean adapter, boolean padded, CheckpointKeep keep) {
        DecoderConfig c = DecoderConfig.tiny(128, 32, 64, 2, 4, 2).withRope(500000, null);
        try (CausalLM model = new CausalLM(c, 7)) {
            if (adapter) {
                PeftModel pm = PeftModel.inject(model, WeGeFTConfig.of(4, 8, TargetModules.of("q_proj", "v_proj",
                        "down_proj"), List.of(List.of(".*\\.q_proj"), List.of(".*\\.v_proj"))), 3);
                try (Grad.Mode off = Grad.disabled()) {        // non-zero phi so psi gets a gradient too
                    pm.adapterState().forEach((k, t) -> t.copyFrom(Tensor.randn(k.hashCode(), t.shape()).mul(0.1f)));
                }
            }
            model.train();
            if (keep != null) {
                model.gradientCheckpointing(keep);
            }
            try (Tensor ids = Tensor.ofInts(IDS, 2, 8);
                 Tensor mask = Tensor.ofInts(new int[] {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 2, 8);
                 Tensor targets = Tensor.ofInts(new int[] {9, 27, 81, 115, 89, 11, 33, -100, 41, 7, 2, 64, 100, 5,
                         77, -100}, 2, 8);
                 Tensor logits = model.forward(ids, padded ? mask : null, null, null);
                 Tensor loss = Functional.crossEntropy(logits, targets)) {
                loss.backward();
            }
            Map<String, float[]> out = new LinkedHashMap<>();
            model.trainableParameters().forEach((k, t) -> out.put(k, t.grad() == null ? new float[0]
                    : t.grad().toFloatArray()));
            return out;
        }
    }
}
