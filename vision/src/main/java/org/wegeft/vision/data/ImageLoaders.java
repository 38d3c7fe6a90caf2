package org.wegeft.vision.data;

import java.io.IOException;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.data.ArrowDataset;
import org.wegeft.nn.data.ColumnSpec;
import org.wegeft.nn.data.DataLoader;
import org.wegeft.nn.data.DatasetException;
import org.wegeft.nn.data.LoaderOptions;
import org.wegeft.nn.data.SampleReader;

/**
 * Image-classification loaders over Arrow or Parquet data sets.
 *
 * <pre>
 * var ds = ImageLoaders.open(Path.of("examples/data/digits-train.arrow"), "image", "label");
 * try (var loader = ImageLoaders.classification(ds, "image", "label", null,
 *         ImagePipeline.resize(32, true, cfg.imageMean(), cfg.imageStd()), LoaderOptions.train(64, seed))) {
 *     BatchSource&lt;ImageBatch&gt; src = loader.asBatchSource(b -&gt; b, ImageBatch::batchSize);
 *     // step: x = batch.images()  (B, 3, 32, 32);  y = batch.labelTensor()  (B)
 * }
 * </pre>
 */
public final class ImageLoaders {
    private ImageLoaders() {}

    /**
     * Opens a data set with an image column and an integer label column: an Arrow or Parquet file, a glob of them,
     * a folder of Parquet shards, or a {@code save_to_disk} folder.
     */
    public static ArrowDataset open(java.nio.file.Path file, String imageColumn, String labelColumn) {
        return ArrowDataset.open(file, ColumnSpec.image(imageColumn), ColumnSpec.integer(labelColumn));
    }

    /**
     * Batches of (images, labels). {@code raw} gives the HWC shape when the image column holds raw uint8 pixels;
     * null means encoded images (HF struct, or binary PNG/JPEG bytes).
     */
    public static DataLoader<ImageBatch> classification(ArrowDataset ds, String imageColumn, String labelColumn,
            @Nullable RawImageShape raw, ImagePipeline pipeline, LoaderOptions opts) {
        if (ds.isEncodedImage(imageColumn) && raw != null) {
            throw new DatasetException(ds.file(), imageColumn, "holds encoded images; no raw shape expected");
        }
        if (ds.size() > 0) {
            ds.integer(labelColumn, 0); // fails fast when it is not an integer column
        }
        return DataLoader.create(ds.size(), () -> reader(ds, imageColumn, labelColumn, raw, pipeline),
                samples -> ImageBatch.collate(samples, pipeline.size()), opts);
    }

    /** A per-thread reader: decode (into reused buffers) → pipeline → sample. */
    public static SampleReader<ImageSample> reader(ArrowDataset ds, String imageColumn, String labelColumn,
            @Nullable RawImageShape raw, ImagePipeline pipeline) {
        ImageDecoder decoder = new ImageDecoder();
        ImageProcessor proc = new ImageProcessor(pipeline);
        byte[][] buf = {new byte[1 << 12]};
        return (index, seed) -> {
            int len = ds.byteLength(imageColumn, index);
            if (buf[0].length < len) {
                buf[0] = new byte[Math.max(len, 2 * buf[0].length)];
            }
            ds.readBytes(imageColumn, index, buf[0]);
            DecodedImage img;
            try {
                img = raw != null ? decoder.raw(buf[0], len, raw) : decoder.decode(buf[0], len);
            } catch (IOException | RuntimeException e) {
                throw new DatasetException(ds.file(), imageColumn, "row " + index + ": cannot decode image: "
                        + e.getMessage(), e);
            }
            return new ImageSample(proc.apply(img, seed), Math.toIntExact(ds.integer(labelColumn, index)));
        };
    }
}
