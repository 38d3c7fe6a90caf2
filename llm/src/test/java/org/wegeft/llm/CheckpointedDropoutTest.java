package org.wegeft.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.wegeft.kernels.DType;
import org.wegeft.peft.PeftModel;
import org.wegeft.peft.TargetModules;
import org.wegeft.peft.lora.LoraConfig;
import org.wegeft.peft.wegeft.WeGeFTConfig;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;

/**
 * Adapter dropout under gradient checkpointing: the recomputation in backward draws the very masks the forward drew,
 * so two training steps give the same losses and gradients bit for bit with and without checkpointing, and the masks
 * still change from step to step.
 */
class CheckpointedDropoutTest {
    private static final int[] IDS = {3, 17, 40, 99, 5, 61, 8, 120, 77, 1, 30, 64};

    private record Steps(float[] losses, Map<String, float[]> grads) {}

    private static Steps train(String method, boolean checkpointing) {
        CausalLM lm = new CausalLM(DecoderConfig.tiny(128, 32, 64, 2, 4, 2).withRope(500000, null)
                .withTieWordEmbeddings(true), 7, DType.BF16);
        TargetModules targets = TargetModules.of("q_proj", "v_proj", "down_proj");
        PeftModel.inject(lm, method.equals("wegeft")
                ? WeGeFTConfig.of(8, 16, targets, List.of(List.of(".*\\.q_proj"), List.of(".*\\.v_proj"),
                        List.of(".*\\.down_proj"))).withDropout(0.3)
                : LoraConfig.of(8, 16, targets).withDropout(0.3), 5);
        // phi and LoRA's B start at zero, which would hide the masks: give every trainable tensor values
        java.util.SplittableRandom rng = new java.util.SplittableRandom(9);
        lm.trainableParameters().values().forEach(p -> {
            try (Grad.Mode off = Grad.disabled(); Tensor r = Tensor.randn(rng, p.shape()); Tensor small = r.mul(0.1f)) {
                p.copyFrom(small);
            }
        });
        lm.gradientCheckpointing(checkpointing);
        lm.train(true);
        float[] losses = new float[2];
        Map<String, float[]> grads = new LinkedHashMap<>();
        for (int step = 0; step < 2; step++) {
            try (Tensor ids = Tensor.ofInts(IDS, 1, IDS.length); Tensor t = Tensor.ofInts(shifted(), 1, IDS.length);
                 Tensor loss = lm.loss(ids, null, t)) {
                loss.backward();
                losses[step] = loss.item();
            }
            int s = step;
            lm.trainableParameters().forEach((name, p) -> {
                grads.put(s + ":" + name, p.grad().toFloatArray());
                p.zeroGrad();
            });
        }
        return new Steps(losses, grads);
    }

    private static int[] shifted() {
        int[] t = new int[IDS.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = i + 1 < IDS.length ? IDS[i + 1] : -100;
        }
        return t;
    }

    @ParameterizedTest
    @ValueSource(strings = {"wegeft", "lora"})
    void recomputedBlocksDrawTheForwardsMasks(String method) {
        Steps plain = train(method, false);
        Steps checkpointed = train(method, true);
        assertArrayEquals(plain.losses(), checkpointed.losses(), "losses");
        assertEquals(plain.grads().keySet(), checkpointed.grads().keySet());
        plain.grads().forEach((name, g) -> assertArrayEquals(g, checkpointed.grads().get(name), name));
        assertNotEquals(plain.losses()[0], plain.losses()[1], "a new step draws new masks");
    }
}
