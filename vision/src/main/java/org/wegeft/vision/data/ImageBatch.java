package org.wegeft.vision.data;

import java.util.List;
import org.wegeft.tensor.Tensor;

/**
 * A batch of images as plain arrays (made on a loader's worker thread): {@code pixels} is (B, 3, H, W) and
 * {@code labels} (B). {@link #images()} and {@link #labelTensor()} make tensors on the calling thread (inside the
 * trainer's step scope).
 */
public record ImageBatch(float[] pixels, int[] labels, int batchSize, int height, int width) {
    /** Stacks samples of (3, size, size) each. */
    public static ImageBatch collate(List<ImageSample> samples, int size) {
        int n = samples.size();
        int per = 3 * size * size;
        float[] px = new float[n * per];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            ImageSample s = samples.get(i);
            if (s.pixels().length != per) {
                throw new IllegalArgumentException("sample " + i + " holds " + s.pixels().length + " floats, expected "
                        + per);
            }
            System.arraycopy(s.pixels(), 0, px, i * per, per);
            y[i] = s.label();
        }
        return new ImageBatch(px, y, n, size, size);
    }

    /** The images as a float32 tensor; x: (B, 3, H, W). */
    public Tensor images() {
        return Tensor.of(pixels, batchSize, 3, height, width);
    }

    /** The labels as an int32 tensor; y: (B). */
    public Tensor labelTensor() {
        return Tensor.ofInts(labels, batchSize);
    }
}
