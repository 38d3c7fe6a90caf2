package org.wegeft.vision.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hugging Face image processors re-implemented with PIL (tools/fixtures/make_image_processor_fixtures.py) against
 * {@link Preprocessor}: the 8-bit image after resize/crop and the float pixel values fed to the model, on
 * scikit-learn's two sample photos and synthetic PNG/JPEG files (EXIF orientations, alpha, gray, palette).
 */
class PreprocessorTest {
    /** Largest difference allowed in the model's input, in normalised units. */
    private static final double TOLERANCE = 1 / 255.0;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : ProcessorFixtures.json("processed.json").get("cases").properties()) {
            String key = e.getKey();
            int dot = key.lastIndexOf('.');
            out.add(Arguments.of(key.substring(0, dot), key.substring(dot + 1), e.getValue()));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void pixelValuesMatchTheHuggingFaceProcessor(String image, String processor, JsonNode samples) {
        Preprocessor pre = new Preprocessor(PreprocessorConfig.read(ProcessorFixtures.path("processors/" + processor
                + ".json")));
        RgbImage in = ProcessorFixtures.input(image);
        RgbImage want = ProcessorFixtures.png("processed/" + image.replace('.', '_') + "." + processor + ".png");
        RgbImage got = pre.resizeAndCrop(in);
        int u8 = ProcessorFixtures.maxDiff(got, want);

        float[] x = pre.rescaleAndNormalize(got);
        float[] ref = reference(pre.config(), want);
        double max = 0;
        for (int i = 0; i < x.length; i++) {
            max = Math.max(max, Math.abs(x[i] - ref[i]));
        }
        // rescale + normalise as numpy computed them, at the sampled positions
        JsonNode idx = samples.get("index");
        JsonNode val = samples.get("value");
        double sampled = 0;
        for (int i = 0; i < idx.size(); i++) {
            sampled = Math.max(sampled, Math.abs(val.get(i).floatValue() - x[idx.get(i).asInt()]));
        }
        System.out.printf("%s %s: %dx%d, max |pixel value - reference| = %.2e (8-bit stage: max diff %d; "
                + "numpy's float32 values at %d positions: max diff %.2e)%n", image, processor, got.height(),
                got.width(), max, u8, idx.size(), sampled);
        assertEquals(samples.get("shape").get(1).asInt(), got.height());
        assertEquals(samples.get("shape").get(2).asInt(), got.width());
        assertTrue(max <= TOLERANCE, image + " " + processor + ": max diff " + max);
        assertTrue(sampled <= 1e-6, image + " " + processor + ": rescale/normalise differ from numpy by " + sampled);
        assertEquals(0, u8, "8-bit resize/crop equals PIL's exactly");
    }

    /** The reference's float stage on its own 8-bit output: float32(v · factor), then (x − mean) / std in float32. */
    private static float[] reference(PreprocessorConfig c, RgbImage u8) {
        int plane = u8.height() * u8.width();
        float[] x = new float[3 * plane];
        for (int ch = 0; ch < 3; ch++) {
            for (int i = 0; i < plane; i++) {
                float f = (float) ((u8.pixels()[i * 3 + ch] & 0xFF) * c.rescaleFactor());
                x[ch * plane + i] = c.doNormalize()
                        ? (f - c.imageMean().get(ch).floatValue()) / c.imageStd().get(ch).floatValue() : f;
            }
        }
        return x;
    }

    @Test
    void theTorchStyleResizeIsNotWhatTheProcessorDoes() {
        // PyTorch's interpolate without antialiasing (the training path's resize) misses PIL's result by far more
        // than the tolerance: the comparison above can tell the two apart
        RgbImage in = ProcessorFixtures.input("china.jpg");
        RgbImage want = ProcessorFixtures.png("processed/china_jpg.vit.png");
        float[] src = new float[3 * in.height() * in.width()];
        in.toUnitFloats(src);
        float[] dst = new float[3 * 224 * 224];
        ImageOps.resize(src, 3, in.height(), in.width(), CropBox.full(in.height(), in.width()), dst, 224, 224,
                Interpolation.BILINEAR, new float[ImageOps.resizeScratch(3, in.height(), 224)]);
        double max = 0;
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 224 * 224; i++) {
                max = Math.max(max, Math.abs(dst[c * 224 * 224 + i] - (want.pixels()[i * 3 + c] & 0xFF) / 255f));
            }
        }
        System.out.printf("china.jpg vit with interpolate(antialias=False): max diff in [0, 1] units %.3f%n", max);
        assertTrue(max > 10 * TOLERANCE, "max diff " + max);
    }

    @Test
    void centerCropPadsWithZerosWhenTheCropIsLarger() {
        byte[] px = new byte[2 * 3 * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i + 1);
        }
        // 2x3 → 5x2: rows padded ceil(3/2) = 2 above, columns cut from floor((3 - 2) / 2) = 0
        RgbImage out = Preprocessor.centerCrop(new RgbImage(2, 3, px), 5, 2);
        assertEquals(5, out.height());
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 2; x++) {
                int want = y == 2 || y == 3 ? px[((y - 2) * 3 + x) * 3] : 0;
                assertEquals(want, out.get(y, x, 0), "y" + y + " x" + x);
            }
        }
    }

    @Test
    void shortestEdgeKeepsTheAspectRatioTruncatingTheLongSide() {
        PreprocessorConfig.Size s = PreprocessorConfig.Size.shortestEdge(224);
        assertEquals(List.of(224, 335), List.of(s.outputSize(427, 640)[0], s.outputSize(427, 640)[1]));
        assertEquals(List.of(335, 224), List.of(s.outputSize(640, 427)[0], s.outputSize(640, 427)[1]));
        assertEquals(List.of(224, 224), List.of(s.outputSize(50, 50)[0], s.outputSize(50, 50)[1]));
    }
}
