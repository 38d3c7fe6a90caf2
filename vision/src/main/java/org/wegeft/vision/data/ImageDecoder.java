package org.wegeft.vision.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Decodes encoded images (PNG, JPEG, anything {@code javax.imageio} reads) or raw uint8 HWC pixels. Encoded images
 * are opened as Hugging Face's pipelines open them with PIL ({@code exif_transpose}, then {@code convert("RGB")}):
 * <ul>
 *   <li>the EXIF orientation (JPEG APP1, PNG {@code eXIf}) is applied, see {@link ExifOrientation};</li>
 *   <li>samples are taken as stored: an embedded ICC profile is not applied;</li>
 *   <li>alpha is dropped without compositing; gray is repeated over R, G, B; palette entries are looked up;</li>
 *   <li>gray below 8 bits is scaled to 0..255; 16-bit colour keeps its high byte, 16-bit gray saturates at 255
 *       (PIL's "I" → "RGB").</li>
 * </ul>
 * {@link #decode} gives float CHW in [0, 1] for the training pipeline. One decoder per thread: it reuses its
 * buffers, so each {@code decode} result's {@code data} is overwritten by the next call.
 */
public final class ImageDecoder {
    static {
        ImageIO.setUseCache(false); // decode in memory, no temporary files
    }

    private float[] out = new float[0];
    private int[] samples = new int[0];

    /** Decodes {@code bytes[0 .. len)} to float CHW in [0, 1]. */
    public DecodedImage decode(byte[] bytes, int len) throws IOException {
        RgbImage img = rgb(bytes, len);
        float[] dst = buffer(3 * img.height() * img.width());
        img.toUnitFloats(dst);
        return new DecodedImage(img.height(), img.width(), dst);
    }

    /** Reads an image file as 8-bit RGB, upright. */
    public RgbImage read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return rgb(bytes, bytes.length);
    }

    /** Decodes {@code bytes[0 .. len)} to 8-bit RGB, upright. */
    public RgbImage rgb(byte[] bytes, int len) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes, 0, len));
        if (img == null) {
            throw new IOException("not an image format javax.imageio can read (" + len + " bytes)");
        }
        return ExifOrientation.apply(toRgb(img), ExifOrientation.of(bytes, len));
    }

    private RgbImage toRgb(BufferedImage img) {
        int h = img.getHeight();
        int w = img.getWidth();
        int plane = h * w;
        byte[] rgb = new byte[3 * plane];
        Raster r = img.getRaster();
        int bands = r.getNumBands();
        ColorModel cm = img.getColorModel();
        int csType = cm.getColorSpace().getType();
        boolean gray = bands <= 2 && csType == ColorSpace.TYPE_GRAY;
        boolean colour = bands >= 3 && csType == ColorSpace.TYPE_RGB;
        if (cm instanceof ComponentColorModel && (gray || colour)) {
            int bits = r.getSampleModel().getSampleSize(0);
            if (samples.length < plane * bands) {
                samples = new int[plane * bands];
            }
            r.getPixels(0, 0, w, h, samples);
            for (int i = 0; i < plane; i++) {
                for (int c = 0; c < 3; c++) {
                    rgb[i * 3 + c] = (byte) to8(samples[i * bands + (gray ? 0 : c)], bits, gray);
                }
            }
        } else {
            // palettes (exact: the palette's own values) and packed colour models
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int argb = img.getRGB(x, y);
                    int i = (y * w + x) * 3;
                    rgb[i] = (byte) (argb >> 16);
                    rgb[i + 1] = (byte) (argb >> 8);
                    rgb[i + 2] = (byte) argb;
                }
            }
        }
        return new RgbImage(h, w, rgb);
    }

    private static int to8(int v, int bits, boolean gray) {
        if (bits == 8) {
            return v;
        }
        if (bits < 8) {
            return v * 255 / ((1 << bits) - 1);
        }
        return gray ? Math.min(v, 255) : v >> (bits - 8);
    }

    /** Raw uint8 pixels in HWC order ({@code channels} 1 or 3) → float CHW. */
    public DecodedImage raw(byte[] bytes, int len, RawImageShape shape) throws IOException {
        int h = shape.height();
        int w = shape.width();
        int ch = shape.channels();
        if (len != h * w * ch) {
            throw new IOException("raw image holds " + len + " bytes, shape " + shape + " needs " + h * w * ch);
        }
        int plane = h * w;
        float[] dst = buffer(3 * plane);
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                dst[c * plane + i] = (bytes[i * ch + (ch == 1 ? 0 : c)] & 0xFF) / 255f;
            }
        }
        return new DecodedImage(h, w, dst);
    }

    private float[] buffer(int n) {
        if (out.length < n) {
            out = new float[n];
        }
        return out;
    }
}
