package org.wegeft.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VitConfigTest {
    @Test
    void timmStyleConfigReadsEveryField() {
        VitConfig c = VitConfig.read(Fixtures.path("vit_timm"));
        assertEquals(new VitConfig(16, 4, 3, 5, 24, 2, 4, 4.0, true, true, "token", false, 0.0, 1e-6,
                List.of(0.5, 0.5, 0.5), List.of(0.5, 0.5, 0.5), "bicubic", List.of()), c);
        assertEquals(17, c.seqLen());
        assertEquals(96, c.mlpHidden());
    }

    @Test
    void huggingFaceViTConfigMapsToTheSameModel() {
        VitConfig hf = VitConfig.read(Fixtures.path("vit_hf").resolve("config.json"));
        List<String> labels = List.of("class_0", "class_1", "class_2", "class_3", "class_4");
        // the same model as vit_timm; HF's image processor default resample is bilinear
        assertEquals(new VitConfig(16, 4, 3, 5, 24, 2, 4, 4.0, true, true, "token", false, 0.0, 1e-6,
                List.of(0.5, 0.5, 0.5), List.of(0.5, 0.5, 0.5), "bilinear", labels), hf);
    }

    @Test
    void huggingFaceDefaultsAreItsOwn(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"vit\"}");
        Files.writeString(dir.resolve("preprocessor_config.json"),
                "{\"image_mean\": [0.485, 0.456, 0.406], \"image_std\": [0.229, 0.224, 0.225], \"resample\": 3}");
        VitConfig c = VitConfig.read(dir);
        assertEquals(1e-12, c.layerNormEps());
        assertEquals(768, c.embedDim());
        assertEquals(3072, c.mlpHidden());
        assertEquals(224, c.imgSize());
        assertEquals(0, c.numClasses());
        assertEquals(List.of(0.485, 0.456, 0.406), c.imageMean());
        assertEquals("bicubic", c.interpolation());
    }

    @Test
    void timmHubConfigNamingAnArchitectureReadsItsSizes(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("config.json"), """
                {"architecture": "vit_small_patch16_384.augreg_in21k_ft_in1k", "num_classes": 1000,
                 "pretrained_cfg": {"input_size": [3, 384, 384], "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5],
                                    "interpolation": "bicubic"}}""");
        VitConfig c = VitConfig.read(dir);
        assertEquals(VitConfig.of(384, 16, 384, 12, 6, 1000), c);
    }

    @Test
    void writeThenReadRoundTrips(@TempDir Path dir) {
        VitConfig c = VitConfig.of(32, 8, 48, 3, 6, 4).withGlobalPool("avg", false).withDropPathRate(0.2)
                .withClasses(4, List.of("a", "b", "c", "d"));
        c.write(dir.resolve("config.json"));
        assertEquals(c, VitConfig.read(dir));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"img_size\": 0}                                   | img_size",
        "{\"img_size\": 30, \"patch_size\": 4}               | img_size",
        "{\"embed_dim\": 24, \"num_heads\": 5}               | num_heads",
        "{\"depth\": \"two\"}                                | depth",
        "{\"global_pool\": \"max\"}                          | global_pool",
        "{\"class_token\": false}                            | global_pool",
        "{\"mlp_ratio\": -1}                                 | mlp_ratio",
        "{\"drop_path_rate\": 1.5}                           | drop_path_rate",
        "{\"image_mean\": [0.5]}                             | image_mean",
        "{\"qkv_bias\": \"yes\"}                             | qkv_bias",
        "{\"model_type\": \"vit\", \"hidden_act\": \"relu\"} | hidden_act",
        "{\"model_type\": \"vit\", \"id2label\": {\"a\": 1}} | id2label",
        "{\"model_type\": \"vit\", \"hidden_size\": 0}       | hidden_size",
        "{\"model_type\": \"swin\"}                          | model_type",
        "{\"architecture\": \"resnet50\"}                    | architecture",
        "{not json                                           | (file)",
    })
    void badValuesNameTheFileAndTheKey(String json, String key, @TempDir Path dir) throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, json);
        VitConfigException e = assertThrows(VitConfigException.class, () -> VitConfig.read(dir));
        assertEquals(key, e.key(), e.getMessage());
        assertEquals(file.toString(), e.source());
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains(key), e.getMessage());
    }
}
