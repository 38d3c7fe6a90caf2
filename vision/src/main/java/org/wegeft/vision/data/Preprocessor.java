package org.wegeft.vision.data;

/**
 * Applies a {@link PreprocessorConfig} the way Hugging Face's image processors do: on the 8-bit image, resize with
 * PIL's filter ({@link PilResize}) and centre crop (zero padding where the crop is larger); then in float32,
 * {@code x = float(v · rescale_factor)} and {@code x = (x − mean) / std}. Stateless; any thread.
 */
public final class Preprocessor {
    private final PreprocessorConfig cfg;
    private final float[] mean;
    private final float[] std;

    public Preprocessor(PreprocessorConfig cfg) {
        this.cfg = cfg;
        this.mean = ImagePipeline.toFloats(cfg.imageMean());
        this.std = ImagePipeline.toFloats(cfg.imageStd());
    }

    public PreprocessorConfig config() {
        return cfg;
    }

    /** The 8-bit stage: resized and cropped as configured. */
    public RgbImage resizeAndCrop(RgbImage img) {
        RgbImage out = img;
        if (cfg.doResize()) {
            int[] hw = cfg.size().outputSize(img.height(), img.width());
            out = PilResize.resize(img, hw[0], hw[1], cfg.resample());
        }
        if (cfg.doCenterCrop()) {
            out = centerCrop(out, cfg.cropHeight(), cfg.cropWidth());
        }
        return out;
    }

    /** The model's input for {@code img}: float CHW, (3, H, W) with H, W those of {@link #resizeAndCrop}. */
    public float[] pixelValues(RgbImage img) {
        return rescaleAndNormalize(resizeAndCrop(img));
    }

    /** The float stage on an already resized and cropped image: float CHW of the same height and width. */
    public float[] rescaleAndNormalize(RgbImage p) {
        int plane = p.height() * p.width();
        float[] x = new float[3 * plane];
        byte[] px = p.pixels();
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < plane; i++) {
                int v = px[i * 3 + c] & 0xFF;
                float f = cfg.doRescale() ? (float) (v * cfg.rescaleFactor()) : v;
                x[c * plane + i] = cfg.doNormalize() ? (f - mean[c]) / std[c] : f;
            }
        }
        return x;
    }

    /**
     * transformers' {@code center_crop}: offsets {@code floor((H − ch) / 2)}, {@code floor((W − cw) / 2)}; an
     * axis shorter than the crop is first padded with zeros, {@code ceil(pad / 2)} of them before the image.
     */
    public static RgbImage centerCrop(RgbImage img, int ch, int cw) {
        int h = img.height();
        int w = img.width();
        int padTop = h < ch ? (ch - h + 1) / 2 : 0;
        int padLeft = w < cw ? (cw - w + 1) / 2 : 0;
        // window start in padded coordinates, moved back to the image's
        int top = Math.max(0, Math.floorDiv(h - ch, 2) + padTop) - padTop;
        int left = Math.max(0, Math.floorDiv(w - cw, 2) + padLeft) - padLeft;
        byte[] in = img.pixels();
        byte[] out = new byte[ch * cw * 3];
        for (int y = 0; y < ch; y++) {
            int sy = top + y;
            if (sy < 0 || sy >= h) {
                continue;
            }
            int x0 = Math.max(0, -left);
            int x1 = Math.min(cw, w - left);
            if (x1 > x0) {
                System.arraycopy(in, (sy * w + left + x0) * 3, out, (y * cw + x0) * 3, (x1 - x0) * 3);
            }
        }
        return new RgbImage(ch, cw, out);
    }
}
