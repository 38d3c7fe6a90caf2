package org.wegeft.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.wegeft.nn.Linear;
import org.wegeft.peft.PeftModel;
import org.wegeft.peft.TargetModules;
import org.wegeft.peft.wegeft.WeGeFTConfig;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.ShapeMismatchException;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.testing.TensorFixtures;

/**
 * {@link CausalLM#loss}: the same loss and gradients as {@code crossEntropy(forward(ids, mask), targets)}, with
 * the head and the loss fused when lm_head is a plain {@link Linear}, and the unfused path when an adapter wraps it.
 */
class CausalLmLossTest {
    private static final int[] TARGETS = {9, 27, 81, 115, 89, 11, 33, -100, 41, 7, 2, 64, 100, 5, 77, -100};
    private static final int[] MASK = {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};

    /** A model (built afresh for each run), the adapter targets injected into it (none: full training). */
    record Case(String name, Supplier<CausalLM> model, List<String> adapterTargets, boolean padded,
                boolean fused) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static CausalLM tiny(boolean tied) {
        return new CausalLM(DecoderConfig.tiny(128, 32, 64, 2, 4, 2).withRope(500000, null)
                .withTieWordEmbeddings(tied), 7);
    }

    static Stream<Case> cases() {
        List<String> qvDown = List.of("q_proj", "v_proj", "down_proj");
        return Stream.of(
                new Case("full training, untied head", () -> tiny(false), List.of(), false, true),
                new Case("full training, tied head, padded", () -> tiny(true), List.of(), true, true),
                new Case("WeGeFT, frozen F32 head", () -> tiny(false), qvDown, false, true),
                new Case("WeGeFT, frozen tied head, padded", () -> tiny(true), qvDown, true, true),
                new Case("WeGeFT, BF16 checkpoint, frozen BF16 head",
                        () -> CausalLM.fromPretrained(LlmFixtures.path("llama_bf16")), qvDown, true, true),
                new Case("WeGeFT on lm_head itself: unfused", () -> tiny(false), List.of("q_proj", "lm_head"), false,
                        false));
    }

    private record Run(float loss, String gradFn, Map<String, float[]> grads) {}

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void lossEqualsCrossEntropyOfTheLogitsWithTheSameGradients(Case k) {
        Run plain = run(k, false);
        Run fused = run(k, true);
        assertTrue(fused.gradFn().contains(k.fused() ? "grad_fn=LinearCrossEntropyOp" : "grad_fn=CrossEntropyOp"),
                fused.gradFn());
        assertEquals(plain.loss(), fused.loss(), 1e-5 * Math.abs(plain.loss()), "loss");
        assertEquals(plain.grads().keySet(), fused.grads().keySet());
        assertFalse(plain.grads().isEmpty());
        plain.grads().forEach((name, g) -> {
            double err = TensorFixtures.maxRelError(name + " gradient", fused.grads().get(name), g);
            assertTrue(err <= 1e-5, name + ": max relative diff " + err);
        });
    }

    private static Run run(Case k, boolean fused) {
        try (CausalLM model = k.model().get()) {
            if (!k.adapterTargets().isEmpty()) {
                PeftModel pm = PeftModel.inject(model, WeGeFTConfig.of(4, 8,
                        TargetModules.of(k.adapterTargets().toArray(String[]::new)), List.of()), 3);
                try (Grad.Mode off = Grad.disabled()) {        // non-zero phi so psi gets a gradient too
                    pm.adapterState().forEach((name, t) -> {
                        try (Tensor r = Tensor.randn(name.hashCode(), t.shape()); Tensor s = r.mul(0.1f)) {
                            t.copyFrom(s);
                        }
                    });
                }
            }
            assertEquals(k.fused(), model.lmHead() instanceof Linear, "the case's head");
            model.train();
            Map<String, float[]> grads = new LinkedHashMap<>();
            try (Tensor ids = Tensor.ofInts(GradientCheckpointingTest.IDS, 2, 8);
                 Tensor mask = Tensor.ofInts(MASK, 2, 8);
                 Tensor targets = Tensor.ofInts(TARGETS, 2, 8);
                 Tensor loss = fused ? model.loss(ids, k.padded() ? mask : null, targets)
                         : Functional.crossEntropy(model.forward(ids, k.padded() ? mask : null, null, null), targets)) {
                String gradFn = loss.toString();
                loss.backward();
                model.trainableParameters().forEach((name, t) -> grads.put(name, t.grad() == null ? new float[0]
                        : t.grad().toFloatArray()));
                return new Run(loss.item(), gradFn, grads);
            }
        }
    }

    @Test
    void targetsOfAnotherShapeAreRejectedByName() {
        try (CausalLM model = tiny(false);
             Tensor ids = Tensor.ofInts(GradientCheckpointingTest.IDS, 2, 8);
             Tensor targets = Tensor.ofInts(TARGETS, 4, 4)) {
            var e = assertThrows(ShapeMismatchException.class, () -> model.loss(ids, null, targets));
            assertTrue(e.getMessage().contains("(4, 4)") && e.getMessage().contains("(2, 8, 32)"), e.getMessage());
        }
    }
}
