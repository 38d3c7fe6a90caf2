package org.wegeft.vision.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.nn.data.ArrowDataset;
import org.wegeft.nn.data.ArrowWriter;
import org.wegeft.nn.data.ColumnSpec;
import org.wegeft.nn.data.DataLoaderException;
import org.wegeft.nn.data.DatasetException;
import org.wegeft.nn.data.LoaderOptions;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

class ImageLoadersTest {
    private static final List<Double> MEAN = List.of(0.5, 0.5, 0.5);
    private static final List<Double> STD = List.of(0.5, 0.5, 0.5);
    private static final ArrowDataset DIGITS = ImageLoaders.open(Path.of("../examples/data/digits-train.arrow"),
            "image", "label");

    @TempDir
    Path dir;

    private static List<float[]> drain(org.wegeft.nn.data.DataLoader<ImageBatch> l, int epoch) {
        List<float[]> out = new ArrayList<>();
        l.epoch(epoch).forEachRemaining(b -> out.add(b.pixels()));
        return out;
    }

    @Test
    void augmentedBatchesAreTheSameWhateverTheWorkerCount() {
        var p = ImagePipeline.train(16, MEAN, STD);
        var opts = new LoaderOptions(32, true, true, 0, 2, 9);
        try (var a = ImageLoaders.classification(DIGITS, "image", "label", null, p, opts);
                var b = ImageLoaders.classification(DIGITS, "image", "label", null, p, opts.withWorkers(2))) {
            List<float[]> x = drain(a, 3);
            List<float[]> y = drain(b, 3);
            assertEquals(31, x.size());
            for (int i = 0; i < x.size(); i++) {
                assertArrayEquals(x.get(i), y.get(i), "batch " + i);
            }
            assertFalse(java.util.Arrays.equals(x.getFirst(), drain(a, 4).getFirst()));
        }
    }

    @Test
    void batchesBecomeImageAndLabelTensors() {
        var p = ImagePipeline.resize(32, true, MEAN, STD);
        try (var l = ImageLoaders.classification(DIGITS, "image", "label", null, p, LoaderOptions.eval(64));
                var scope = TensorScope.open()) {
            ImageBatch b = l.epoch(0).next();
            Tensor x = b.images();
            Tensor y = b.labelTensor();
            assertArrayEquals(new long[] {64, 3, 32, 32}, x.shape());
            assertArrayEquals(new long[] {64}, y.shape());
            assertArrayEquals(java.util.stream.IntStream.range(0, 64).map(i -> (int) DIGITS.integer("label", i))
                    .toArray(), y.toIntArray());
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (float v : b.pixels()) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            assertTrue(min >= -1.0001f && max <= 1.0001f && max > min, min + " .. " + max);
        }
    }

    @Test
    void rawUint8ColumnGivesTheSameBatchesAsPng() throws Exception {
        int n = 24;
        List<byte[]> raw = new ArrayList<>();
        long[] labels = new long[n];
        ImageDecoder dec = new ImageDecoder();
        for (int r = 0; r < n; r++) {
            byte[] png = DIGITS.bytes("image", r);
            DecodedImage img = dec.decode(png, png.length);
            byte[] px = new byte[64];
            for (int k = 0; k < 64; k++) {
                px[k] = (byte) Math.round(img.data()[k] * 255);
            }
            raw.add(px);
            labels[r] = DIGITS.integer("label", r);
        }
        Path f = dir.resolve("raw.arrow");
        new ArrowWriter().uint8FixedList("pixels", raw, 64).integers("y", 8, labels).write(f, ArrowWriter.Format.FILE);
        var rawDs = ArrowDataset.open(f, ColumnSpec.image("pixels"), ColumnSpec.integer("y"));
        var p = ImagePipeline.eval(12, MEAN, STD).withInterpolation(Interpolation.BICUBIC);
        var opts = LoaderOptions.eval(8);
        try (var a = ImageLoaders.classification(rawDs, "pixels", "y", new RawImageShape(8, 8, 1), p, opts);
                var b = ImageLoaders.classification(DIGITS, "image", "label", null, p, opts)) {
            var ia = a.epoch(0);
            var ib = b.epoch(0);
            while (ia.hasNext()) {
                ImageBatch x = ia.next();
                ImageBatch y = ib.next();
                assertArrayEquals(x.labels(), y.labels());
                assertArrayEquals(x.pixels(), y.pixels(), 1e-6f);
            }
        }
    }

    @Test
    void undecodableImageNamesFileColumnAndRow() {
        Path f = dir.resolve("bad.arrow");
        new ArrowWriter().imageStruct("image", List.of(new byte[] {1, 2, 3}), List.of("x.png"))
                .integers("label", 64, new long[] {0}).write(f, ArrowWriter.Format.STREAM);
        var ds = ImageLoaders.open(f, "image", "label");
        try (var l = ImageLoaders.classification(ds, "image", "label", null, ImagePipeline.eval(8, MEAN, STD),
                LoaderOptions.eval(1))) {
            var e = assertThrows(DataLoaderException.class, () -> l.epoch(0).next());
            var cause = (DatasetException) e.getCause();
            assertEquals("image", cause.column());
            assertTrue(cause.getMessage().contains(f.toString()) && cause.getMessage().contains("row 0"),
                    cause.getMessage());
        }
    }
}
