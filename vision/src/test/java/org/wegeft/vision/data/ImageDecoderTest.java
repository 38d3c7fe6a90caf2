package org.wegeft.vision.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {
    static int value(int x, int y, int c) {
        return (x * 37 + y * 11 + c * 90) % 256;
    }

    static byte[] encode(int type, String format, int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (type == BufferedImage.TYPE_BYTE_GRAY) {
                    img.getRaster().setSample(x, y, 0, value(x, y, 0));
                } else {
                    img.setRGB(x, y, 0xFF000000 | value(x, y, 0) << 16 | value(x, y, 1) << 8 | value(x, y, 2));
                }
            }
        }
        var bos = new ByteArrayOutputStream();
        ImageIO.write(img, format, bos);
        return bos.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(ints = {BufferedImage.TYPE_BYTE_GRAY, BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_INT_ARGB,
        BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_BYTE_INDEXED})
    void pngDecodesExactlyToChwInUnitRange(int type) throws IOException {
        int w = 5;
        int h = 3;
        byte[] png = encode(type, "png", w, h);
        DecodedImage img = new ImageDecoder().decode(png, png.length);
        assertEquals(h, img.height());
        assertEquals(w, img.width());
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int want = type == BufferedImage.TYPE_BYTE_GRAY ? value(x, y, 0) : value(x, y, c);
                    float got = img.data()[c * h * w + y * w + x] * 255f;
                    if (type == BufferedImage.TYPE_BYTE_INDEXED) {
                        assertEquals(want, got, 26, "palette quantises; c" + c + " y" + y + " x" + x);
                    } else {
                        assertEquals(want, Math.round(got), "c" + c + " y" + y + " x" + x);
                    }
                }
            }
        }
    }

    @Test
    void jpegDecodesCloseToTheSource() throws IOException {
        // a smooth gradient (JPEG is lossy on sharp edges): r = 40 + 8x, g = 30 + 6y, b = 200 - 4x - 4y
        BufferedImage src = new BufferedImage(16, 16, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                src.setRGB(x, y, (40 + 8 * x) << 16 | (30 + 6 * y) << 8 | (200 - 4 * x - 4 * y));
            }
        }
        var bos = new ByteArrayOutputStream();
        ImageIO.write(src, "jpg", bos);
        byte[] jpg = bos.toByteArray();
        DecodedImage img = new ImageDecoder().decode(jpg, jpg.length);
        double err = 0;
        for (int i = 0; i < 256; i++) {
            int x = i % 16;
            int y = i / 16;
            err += Math.abs(img.data()[i] * 255 - (40 + 8 * x)) + Math.abs(img.data()[256 + i] * 255 - (30 + 6 * y))
                    + Math.abs(img.data()[512 + i] * 255 - (200 - 4 * x - 4 * y));
        }
        assertEquals(0, err / (3 * 256), 3, "mean abs error of a lossy JPEG (0..255)");
    }

    @Test
    void rawHwcPixelsBecomeChw() throws IOException {
        byte[] px = new byte[2 * 3 * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i * 13);
        }
        DecodedImage img = new ImageDecoder().raw(px, px.length, new RawImageShape(2, 3, 3));
        // HWC (y=1, x=2, c=1) → CHW (c=1, y=1, x=2)
        assertEquals((px[(1 * 3 + 2) * 3 + 1] & 0xFF) / 255f, img.data()[6 + 1 * 3 + 2]);
        DecodedImage gray = new ImageDecoder().raw(px, 6, new RawImageShape(2, 3, 1));
        assertEquals(gray.data()[4], gray.data()[2 * 6 + 4]);
        assertThrows(IOException.class, () -> new ImageDecoder().raw(px, 17, new RawImageShape(2, 3, 3)));
    }

    @Test
    void garbageIsAnIoException() {
        byte[] junk = "definitely not a png".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThrows(IOException.class, () -> new ImageDecoder().decode(junk, junk.length));
    }

    @ParameterizedTest
    @ValueSource(strings = {"exif_1.jpg", "exif_2.jpg", "exif_3.jpg", "exif_4.jpg", "exif_5.jpg", "exif_6.jpg",
            "exif_7.jpg", "exif_8.jpg", "exif_6.png", "rgba.png", "la.png", "gray.png", "gray.jpg", "palette.png",
            "rgb16.png"})
    void opensFilesAsPilWithExifTransposeAndConvertRgb(String name) {
        RgbImage want = ProcessorFixtures.png("decoded/" + name.replace('.', '_') + ".png");
        assertEquals(0, ProcessorFixtures.maxDiff(ProcessorFixtures.input(name), want), name);
    }

    @Test
    void exifOrientationsAreTheEightPilTranspositions() {
        // a 2x3 image whose pixels are numbered 0..5 row by row; expected: upright images as PIL's transpose gives
        byte[] px = new byte[18];
        for (int i = 0; i < 6; i++) {
            px[3 * i] = (byte) i;
        }
        RgbImage img = new RgbImage(2, 3, px);
        int[][] want = {null, {0, 1, 2, 3, 4, 5}, {2, 1, 0, 5, 4, 3}, {5, 4, 3, 2, 1, 0}, {3, 4, 5, 0, 1, 2},
                {0, 3, 1, 4, 2, 5}, {3, 0, 4, 1, 5, 2}, {5, 2, 4, 1, 3, 0}, {2, 5, 1, 4, 0, 3}};
        for (int o = 1; o <= 8; o++) {
            RgbImage out = ExifOrientation.apply(img, o);
            assertEquals(o >= 5 ? 3 : 2, out.height(), "orientation " + o);
            for (int i = 0; i < 6; i++) {
                assertEquals(want[o][i], out.pixels()[3 * i], "orientation " + o + " pixel " + i);
            }
        }
    }

    @Test
    void sixteenBitGraySaturatesAsPilConvertsIt() throws IOException {
        BufferedImage img = new BufferedImage(4, 1, BufferedImage.TYPE_USHORT_GRAY);
        int[] v = {0, 100, 256, 65535};
        for (int x = 0; x < 4; x++) {
            img.getRaster().setSample(x, 0, 0, v[x]);
        }
        var bos = new ByteArrayOutputStream();
        ImageIO.write(img, "png", bos);
        RgbImage rgb = new ImageDecoder().rgb(bos.toByteArray(), bos.size());
        int[] want = {0, 100, 255, 255};
        for (int x = 0; x < 4; x++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(want[x], rgb.get(0, x, c), "x" + x + " c" + c);
            }
        }
    }
}
