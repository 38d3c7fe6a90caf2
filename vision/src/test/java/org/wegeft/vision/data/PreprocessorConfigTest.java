package org.wegeft.vision.data;

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

class PreprocessorConfigTest {
    @TempDir
    Path dir;

    private PreprocessorConfig read(String json) throws IOException {
        Files.writeString(dir.resolve("preprocessor_config.json"), json);
        return PreprocessorConfig.read(dir);
    }

    @Test
    void readsTheProcessorsFieldsWithTheClassDefaultsForTheRest() throws IOException {
        PreprocessorConfig clip = read("{\"image_processor_type\": \"CLIPImageProcessor\", \"size\": 336}");
        assertEquals(PreprocessorConfig.Size.shortestEdge(336), clip.size());
        assertEquals(PilFilter.BICUBIC, clip.resample());
        assertEquals(224, clip.cropHeight());
        assertEquals(0.26862954, clip.imageStd().get(0));

        PreprocessorConfig vit = read("{\"feature_extractor_type\": \"ViTFeatureExtractor\", \"size\": 384, "
                + "\"image_mean\": 0.5, \"resample\": 3, \"do_normalize\": false}");
        assertEquals(PreprocessorConfig.Size.exact(384, 384), vit.size());
        assertEquals(PilFilter.BICUBIC, vit.resample());
        assertEquals(List.of(0.5, 0.5, 0.5), vit.imageMean());
        assertEquals(false, vit.doNormalize());
        assertEquals(false, vit.doCenterCrop());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"resample\": 7}|resample|PIL filter code",
        "{\"resample\": \"bicubic\"}|resample|an integer",
        "{\"size\": {\"height\": 224}}|size|must be",
        "{\"size\": {\"shortest_edge\": 0}}|size.shortest_edge|positive integer",
        "{\"size\": {\"height\": 224, \"width\": -1}}|size.width|positive integer",
        "{\"do_center_crop\": true}|crop_size|missing",
        "{\"do_center_crop\": true, \"crop_size\": \"big\"}|crop_size|must be",
        "{\"image_std\": [0.5, 0, 0.5]}|image_std|3 positive values",
        "{\"image_mean\": [0.5, 0.5]}|image_mean|3 values",
        "{\"image_mean\": \"grey\"}|image_mean|list of numbers",
        "{\"rescale_factor\": 0}|rescale_factor|positive number",
        "{\"do_resize\": \"yes\"}|do_resize|true or false",
        "{\"image_processor_type\": \"ConvNextImageProcessor\", \"crop_pct\": 0.875}|crop_pct|not supported",
        "[1, 2]|(file)|not a JSON object",
    })
    void badValuesNameTheFileAndTheKey(String json, String key, String problem) throws IOException {
        var e = assertThrows(PreprocessorConfigException.class, () -> read(json));
        assertEquals(dir.resolve("preprocessor_config.json").toString(), e.source());
        assertEquals(key, e.key());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }
}
