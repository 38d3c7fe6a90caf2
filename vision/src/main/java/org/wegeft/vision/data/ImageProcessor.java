package org.wegeft.vision.data;

import java.util.SplittableRandom;

/**
 * Runs an {@link ImagePipeline} on decoded images. One per thread: it keeps its scratch buffers between calls
 * (only the output array is new per sample).
 */
public final class ImageProcessor {
    private final ImagePipeline p;
    private final float[] mean;
    private final float[] std;
    private float[] scratch = new float[0];
    private float[] resized = new float[0];

    public ImageProcessor(ImagePipeline pipeline) {
        this.p = pipeline;
        this.mean = pipeline.meanArray();
        this.std = pipeline.stdArray();
    }

    public ImagePipeline pipeline() {
        return p;
    }

    /** The pipeline applied to {@code img}; random choices from {@code seed}. Returns (3, size, size). */
    public float[] apply(DecodedImage img, long seed) {
        int s = p.size();
        float[] out = new float[3 * s * s];
        int h = img.height();
        int w = img.width();
        SplittableRandom rng = new SplittableRandom(seed);
        switch (p.crop()) {
            case RESIZE -> resize(img.data(), h, w, CropBox.full(h, w), out, s, s);
            case RANDOM_RESIZED_CROP -> {
                CropBox box = ImageOps.randomResizedCrop(h, w, p.scaleMin(), p.scaleMax(), p.ratioMin(),
                        p.ratioMax(), rng);
                resize(img.data(), h, w, box, out, s, s);
            }
            case RESIZE_CENTER_CROP -> {
                // shorter side → resizeTo, aspect kept (torchvision: the longer side is truncated, int(r·long))
                int rh = h <= w ? p.resizeTo() : (int) ((long) p.resizeTo() * h / w);
                int rw = h <= w ? (int) ((long) p.resizeTo() * w / h) : p.resizeTo();
                if (rh == s && rw == s) {
                    resize(img.data(), h, w, CropBox.full(h, w), out, s, s);
                } else {
                    if (resized.length < 3 * rh * rw) {
                        resized = new float[3 * rh * rw];
                    }
                    resize(img.data(), h, w, CropBox.full(h, w), resized, rh, rw);
                    ImageOps.crop(resized, 3, rh, rw, ImageOps.centerCrop(rh, rw, s, s), out);
                }
            }
        }
        if (p.hflip() && rng.nextBoolean()) {
            ImageOps.flipHorizontal(out, 3, s, s);
        }
        ImageOps.normalize(out, 3, s, s, mean, std);
        return out;
    }

    private void resize(float[] src, int h, int w, CropBox box, float[] dst, int oh, int ow) {
        int need = ImageOps.resizeScratch(3, box.height(), ow);
        if (scratch.length < need) {
            scratch = new float[need];
        }
        ImageOps.resize(src, 3, h, w, box, dst, oh, ow, p.interpolation(), scratch);
    }
}
