package org.wegeft.vision.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** ImageOps against PyTorch (tools/fixtures/make_image_fixtures.py), and crop/flip properties. */
class ImageOpsTest {
    private static final JsonNode FIX = load();

    private static JsonNode load() {
        try (InputStream in = ImageOpsTest.class.getResourceAsStream("/fixtures/image_ops.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("fixtures/image_ops.json", e);
        }
    }

    private static float[] floats(JsonNode arr) {
        float[] f = new float[arr.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) arr.get(i).asDouble();
        }
        return f;
    }

    static Stream<Arguments> resizeCases() {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : FIX.get("resize")) {
            JsonNode b = c.get("box");
            out.add(Arguments.of(c.get("mode").asText(), b.get(0).asInt(), b.get(1).asInt(), b.get(2).asInt(),
                    b.get(3).asInt(), c.get("out").get(0).asInt(), c.get("out").get(1).asInt(), c.get("values")));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} box {1},{2} {3}x{4} -> {5}x{6}")
    @MethodSource("resizeCases")
    void resizeMatchesTorchInterpolate(String mode, int top, int left, int h, int w, int oh, int ow,
            JsonNode expected) {
        int c = 3;
        int ih = FIX.get("shape").get(1).asInt();
        int iw = FIX.get("shape").get(2).asInt();
        float[] img = floats(FIX.get("image"));
        float[] dst = new float[c * oh * ow];
        float[] scratch = new float[ImageOps.resizeScratch(c, h, ow)];
        ImageOps.resize(img, c, ih, iw, new CropBox(top, left, h, w), dst, oh, ow,
                Interpolation.valueOf(mode.toUpperCase(java.util.Locale.ROOT)), scratch);
        float[] want = floats(expected);
        assertEquals(want.length, dst.length);
        for (int i = 0; i < dst.length; i++) {
            assertEquals(want[i], dst[i], 1e-4, "element " + i);
        }
    }

    @Test
    void normalizeMatchesTorch() {
        float[] img = floats(FIX.get("image"));
        ImageOps.normalize(img, 3, 7, 9, floats(FIX.get("mean")), floats(FIX.get("std")));
        float[] want = floats(FIX.get("normalized"));
        for (int i = 0; i < img.length; i++) {
            assertEquals(want[i], img[i], 1e-5, "element " + i);
        }
    }

    @ParameterizedTest
    @CsvSource({"8,8,4,4,2,2", "9,9,4,4,2,2", "7,10,3,3,2,4", "6,6,3,3,2,2", "5,5,2,2,2,2", "32,28,28,28,2,0"})
    void centerCropRoundsLikeTorchvision(int h, int w, int oh, int ow, int top, int left) {
        // torchvision: top = int(round((h - oh) / 2)) with Python's round-half-to-even (1.5 -> 2, 2.5 -> 2)
        assertEquals(new CropBox(top, left, oh, ow), ImageOps.centerCrop(h, w, oh, ow));
    }

    @Test
    void flipTwiceIsIdentityAndMirrorsRows() {
        float[] img = floats(FIX.get("image"));
        float[] f = img.clone();
        ImageOps.flipHorizontal(f, 3, 7, 9);
        assertEquals(img[2 * 63 + 4 * 9 + 1], f[2 * 63 + 4 * 9 + 7]);
        ImageOps.flipHorizontal(f, 3, 7, 9);
        assertEquals(java.util.Arrays.toString(img), java.util.Arrays.toString(f));
    }

    @ParameterizedTest
    @CsvSource({"28,28,0.08,1", "224,160,0.5,1", "8,8,0.08,1", "40,300,0.9,1"})
    void randomResizedCropStaysInsideWithinScale(int h, int w, double smin, double smax) {
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < 200; i++) {
            CropBox b = ImageOps.randomResizedCrop(h, w, smin, smax, 3.0 / 4, 4.0 / 3, rng);
            assertTrue(b.top() + b.height() <= h && b.left() + b.width() <= w, b.toString());
        }
    }

    @Test
    void randomResizedCropIsReproducibleFromTheSeed() {
        for (long seed = 0; seed < 20; seed++) {
            assertEquals(ImageOps.randomResizedCrop(28, 28, 0.08, 1, 0.75, 4 / 3.0, new SplittableRandom(seed)),
                    ImageOps.randomResizedCrop(28, 28, 0.08, 1, 0.75, 4 / 3.0, new SplittableRandom(seed)));
        }
    }

    @Test
    void resizeToSameSizeIsIdentity() {
        float[] img = floats(FIX.get("image"));
        for (Interpolation m : Interpolation.values()) {
            float[] dst = new float[img.length];
            ImageOps.resize(img, 3, 7, 9, CropBox.full(7, 9), dst, 7, 9, m, new float[3 * 7 * 9]);
            for (int i = 0; i < img.length; i++) {
                assertEquals(img[i], dst[i], 1e-6, m + " element " + i);
            }
        }
    }
}
