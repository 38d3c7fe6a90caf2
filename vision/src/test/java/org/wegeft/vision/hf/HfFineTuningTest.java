package org.wegeft.vision.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.wegeft.peft.AdapterMethod;
import org.wegeft.peft.FineTuningMethod;
import org.wegeft.peft.FineTuningMethods;
import org.wegeft.peft.PeftModel;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;
import org.wegeft.vision.ImageClassifier;
import org.wegeft.vision.VisionFamilies;
import org.wegeft.vision.train.VitFineTuning;

/**
 * Every registered fine-tuning method on every Hugging Face family, through the recipe's own entry point: adapters
 * land on the family's default targets in every layer, the new classifier trains, and one backward pass gives
 * gradients to the trainable tensors only.
 */
class HfFineTuningTest {
    private static final int LAYERS = 2;

    static Stream<Arguments> cases() {
        List<String> folders = List.of("hf_vit", "hf_deit_teacher", "hf_dinov2_swiglu", "hf_dinov2_reg", "hf_clip",
                "hf_siglip_vision");
        return folders.stream().flatMap(f -> FineTuningMethods.all().stream().map(m -> Arguments.of(f, m)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void everyMethodTrainsEveryFamily(String folder, FineTuningMethod method) {
        ImageClassifier m = VisionFamilies.fromPretrained(HfFixtures.path(folder));
        m.resetHead(3, List.of(), new SplittableRandom(4));
        PeftModel p = VitFineTuning.apply(method, m, 4, List.of(), 0);
        if (method instanceof AdapterMethod) {
            assertEquals(LAYERS * m.defaultTargets().size(), p.adapterLayers().size(), p.adapterLayers().toString());
            assertTrue(p.adapterLayers().keySet().stream().allMatch(k -> m.defaultTargets().stream()
                    .anyMatch(t -> k.endsWith("." + t))), p.adapterLayers().keySet().toString());
        }
        Map<String, Tensor> params = m.module().namedParameters();
        try (var s = TensorScope.open(); Tensor images = Tensor.randn(5, 2, 3, 16, 16);
             Tensor labels = Tensor.ofInts(new int[] {0, 2}, 2)) {
            Functional.crossEntropy(m.forward(images), labels).backward();
        }
        for (String head : m.headModules()) {
            assertNotNull(params.get(head + ".weight").grad(), method + ": " + head + " has no gradient");
        }
        params.forEach((name, t) -> {
            if (!t.requiresGrad()) {
                assertNull(t.grad(), method + ": frozen " + name + " got a gradient");
            }
        });
        long bodyGrads = params.entrySet().stream().filter(e -> e.getValue().grad() != null)
                .filter(e -> m.headModules().stream().noneMatch(h -> e.getKey().startsWith(h + "."))).count();
        assertEquals(method.name().equals("probe"), bodyGrads == 0, method + ": " + bodyGrads
                + " tensors outside the head got gradients");
    }
}
