package org.wegeft.vision.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * Decodes encoded images (PNG, JPEG, anything {@code javax.imageio} reads) or raw uint8 HWC pixels to float CHW
 * in [0, 1], always 3 channels (grayscale is replicated, alpha dropped). One decoder per thread: it reuses its
 * buffers, so each result's {@code data} is overwritten by the next call.
 */
public final class ImageDecoder {
    static {
        ImageIO.setUseCache(false); // decode in memory, no temporary files
    }

    private float[] out = new float[0];
    private int[] pixels = new int[0];

    /** Decodes {@code bytes[0 .. len)}. */
    public DecodedImage decode(byte[] bytes, int len) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes, 0, len));
        if (img == null) {
            throw new IOException("not an image format javax.imageio can read (" + len + " bytes)");
        }
        int h = img.getHeight();
        int w = img.getWidth();
        float[] dst = buffer(3 * h * w);
        int plane = h * w;
        Raster r = img.getRaster();
        int bands = r.getNumBands();
        ColorSpace cs = img.getColorModel().getColorSpace();
        boolean gray = bands <= 2 && cs.getType() == ColorSpace.TYPE_GRAY;
        boolean rgb = bands >= 3 && cs.isCS_sRGB();
        if (img.getColorModel() instanceof ComponentColorModel && (gray || rgb)) {
            // gray (+alpha) or sRGB (+alpha) samples straight from the raster: no colour conversion
            int bits = r.getSampleModel().getSampleSize(0);
            float scale = 1f / ((1 << bits) - 1);
            if (pixels.length < plane * bands) {
                pixels = new int[plane * bands];
            }
            r.getPixels(0, 0, w, h, pixels);
            int colours = bands >= 3 ? 3 : 1;
            for (int i = 0; i < plane; i++) {
                for (int c = 0; c < 3; c++) {
                    dst[c * plane + i] = pixels[i * bands + (colours == 3 ? c : 0)] * scale;
                }
            }
        } else {
            // palettes and other colour models: through sRGB
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int argb = img.getRGB(x, y);
                    int i = y * w + x;
                    dst[i] = ((argb >> 16) & 0xFF) / 255f;
                    dst[plane + i] = ((argb >> 8) & 0xFF) / 255f;
                    dst[2 * plane + i] = (argb & 0xFF) / 255f;
                }
            }
        }
        return new DecodedImage(h, w, dst);
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
