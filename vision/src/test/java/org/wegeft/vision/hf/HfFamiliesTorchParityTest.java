package org.wegeft.vision.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.testing.TensorFixtures;
import org.wegeft.vision.VisionFamilies;

/**
 * Every Hugging Face family against the plain-PyTorch references of tools/fixtures/make_vision_family_fixtures.py:
 * the folder loads by its model_type and gives the reference's last hidden state, pooled output and logits.
 */
class HfFamiliesTorchParityTest {
    private static final double TOL = 1e-5;
    private static Map<String, Tensor> io;

    @BeforeAll
    static void loadIo() {
        io = HfFixtures.tensors("hf_families_io.safetensors");
    }

    @AfterAll
    static void closeIo() {
        io.values().forEach(Tensor::close);
    }

    private static final BiFunction<HfImageClassifier, Tensor, Tensor> FEATURES = HfImageClassifier::features;
    private static final BiFunction<HfImageClassifier, Tensor, Tensor> POOLED = HfImageClassifier::pooled;
    private static final BiFunction<HfImageClassifier, Tensor, Tensor> LOGITS = HfImageClassifier::forward;

    static Stream<Arguments> outputs() {
        return Stream.of(
                Arguments.of("hf_vit", "features", "images", "vit_features", FEATURES),
                Arguments.of("hf_vit", "logits", "images", "vit_logits", LOGITS),
                Arguments.of("hf_vit_model", "features (ViTModel, pooler not read)", "images", "vit_features",
                        FEATURES),
                Arguments.of("hf_deit", "features", "images", "deit_features", FEATURES),
                Arguments.of("hf_deit", "logits", "images", "deit_logits", LOGITS),
                Arguments.of("hf_deit_teacher", "logits (with teacher)", "images", "deit_teacher_logits", LOGITS),
                Arguments.of("hf_dinov2", "features", "images", "dinov2_features", FEATURES),
                Arguments.of("hf_dinov2", "logits", "images", "dinov2_logits", LOGITS),
                Arguments.of("hf_dinov2", "logits at 24 px (bicubic positions)", "images24", "dinov2_logits24",
                        LOGITS),
                Arguments.of("hf_dinov2_swiglu", "features (SwiGLU)", "images", "dinov2_swiglu_features", FEATURES),
                Arguments.of("hf_dinov2_reg", "features (registers)", "images", "dinov2_reg_features", FEATURES),
                Arguments.of("hf_dinov2_reg", "logits (registers)", "images", "dinov2_reg_logits", LOGITS),
                Arguments.of("hf_dinov2_reg", "logits at 24 px (antialiased positions)", "images24",
                        "dinov2_reg_logits24", LOGITS),
                Arguments.of("hf_clip_vision", "features", "images", "clip_features", FEATURES),
                Arguments.of("hf_clip_vision", "pooled (post_layernorm)", "images", "clip_pooled", POOLED),
                Arguments.of("hf_clip", "logits (full CLIP, text ignored)", "images", "clip_logits", LOGITS),
                Arguments.of("hf_siglip_vision", "features", "images", "siglip_features", FEATURES),
                Arguments.of("hf_siglip_vision", "pooled (attention-pooling head)", "images", "siglip_pooled",
                        POOLED),
                Arguments.of("hf_siglip", "logits (full SigLIP, text ignored)", "images", "siglip_logits", LOGITS));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("outputs")
    void checkpointMatchesTorchReference(String folder, String what, String images, String expected,
            BiFunction<HfImageClassifier, Tensor, Tensor> output) {
        HfImageClassifier model = assertInstanceOf(HfImageClassifier.class,
                VisionFamilies.fromPretrained(HfFixtures.path(folder)));
        model.eval();
        try (var g = Grad.disabled(); Tensor out = output.apply(model, io.get(images))) {
            double err = TensorFixtures.maxRelError(out, io.get(expected));
            System.out.printf("%s %s: max rel error %.2e%n", folder, what, err);
            assertTrue(err <= TOL, folder + " " + what + ": max rel error " + err);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("labelled")
    void classifierCheckpointsCarryTheirLabels(String folder, List<String> heads) {
        HfImageClassifier model = (HfImageClassifier) VisionFamilies.fromPretrained(HfFixtures.path(folder));
        assertEquals(List.of("ant", "bee", "cat", "dog", "eel"), model.labels());
        assertEquals(5, model.numClasses());
        assertEquals(heads, model.headModules());
    }

    static Stream<Arguments> labelled() {
        return Stream.of(Arguments.of("hf_vit", List.of("classifier")),
                Arguments.of("hf_deit_teacher", List.of("cls_classifier", "distillation_classifier")),
                Arguments.of("hf_dinov2_reg", List.of("classifier")),
                Arguments.of("hf_clip", List.of("classifier")),
                Arguments.of("hf_siglip", List.of("classifier")));
    }
}
