package org.wegeft.vision.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.wegeft.peft.FineTuningMethod;
import org.wegeft.peft.FineTuningMethods;
import org.wegeft.peft.MethodOptions;
import org.wegeft.peft.PeftModel;
import org.wegeft.vision.VisionTransformer;
import org.wegeft.vision.VitConfig;

class VitFineTuningTest {
    // width C = 24, depth 3, mlp 96, 5 classes; head = 24 · 5 + 5 = 125
    private static VisionTransformer model() {
        VisionTransformer m = new VisionTransformer(VitConfig.of(16, 8, 24, 3, 2, 10), 1);
        m.resetHead(5, new SplittableRandom(2));
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "wegeft, 317",    // one tied (phi, psi): 2 · 4 · 24 = 192, + head 125
        "lora,   701",    // 3 blocks · 4 · (24 + 24) = 576, + head
        "probe,  125",
        // biases: patch 24; per block norm1 24, qkv 72, proj 24, norm2 24, fc1 96, fc2 24 = 264, · 3 = 792;
        // norm 24; + the whole head 125
        "bitfit, 965"})
    void trainableCountsFollowTheMethod(String id, long expected) {
        VisionTransformer m = model();
        PeftModel p = VitFineTuning.apply(FineTuningMethods.named(id), m, 4, List.of("attn.proj"), 0);
        assertEquals(expected, p.trainableReport().trainable());
    }

    @Test
    void demoPlacementIsTheRecordedOneOrTheCommonOne() {
        // WeGeFT's recorded placement: rank 8 on two layers that read the width (attn.proj, mlp.fc1), so the same
        // trainable count as rank 16 on one
        VitFineTuning.Placement w = VitFineTuning.demoPlacement(FineTuningMethods.named("wegeft"));
        assertEquals(8, w.rank());
        assertEquals(List.of("attn.proj", "mlp.fc1"), w.targets());
        assertEquals(5e-2, w.lr());
        VisionTransformer a = model();
        VisionTransformer b = model();
        assertEquals(VitFineTuning.apply(FineTuningMethods.named("wegeft"), a, 16, List.of("attn.proj"), 0)
                        .trainableReport().trainable(),
                VitFineTuning.apply(FineTuningMethods.named("wegeft"), b, w.rank(), w.targets(), 0)
                        .trainableReport().trainable());
        // a method without a recorded placement: the common one at its common rate
        FineTuningMethod lora = FineTuningMethods.named("lora");
        assertEquals(new VitFineTuning.Placement(16, List.of("attn.proj"), VitFineTuning.defaultLr(lora)),
                VitFineTuning.demoPlacement(lora));
    }

    static List<FineTuningMethod> methods() {
        return FineTuningMethods.all();
    }

    @ParameterizedTest
    @MethodSource("methods")
    void headAlwaysTrainsAndFullTrainsEverything(FineTuningMethod method) {
        VisionTransformer m = model();
        PeftModel p = VitFineTuning.apply(method, m, 4, List.of("attn.proj"), 0);
        assertTrue(((org.wegeft.nn.Module) m.head()).namedParameters().values().stream().allMatch(t -> t.requiresGrad()),
                method + ": head frozen");
        if (method.trainsAllWeights()) {
            assertEquals(p.trainableReport().total(), p.trainableReport().trainable());
        }
        assertEquals(method, FineTuningMethods.named(method.name().toUpperCase(java.util.Locale.ROOT)));
    }

    @ParameterizedTest
    @CsvSource({"attn.proj, blocks.0.attn.proj, true", "attn.proj, blocks.11.attn.proj, true",
        "attn.proj, blocks.0.xattn.proj, false", "attn.proj, blocks.0.attn.proj.x, false", "mlp.fc1, mlp.fc1, true"})
    void tieRegexMatchesEveryBlockOfTheTarget(String target, String path, boolean matches) {
        assertEquals(matches, java.util.regex.Pattern.compile(MethodOptions.tieRegex(target)).matcher(path)
                .lookingAt());
    }

    @Test
    void unknownMethodNamesTheChoices() {
        var e = assertThrows(IllegalArgumentException.class, () -> FineTuningMethods.named("adalora"));
        assertTrue(e.getMessage().contains("adalora") && e.getMessage().contains("bitfit"), e.getMessage());
    }
}
