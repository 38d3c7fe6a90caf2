package org.wegeft.cli.data;

import java.nio.file.Path;
import java.util.List;
import org.wegeft.nn.data.ArrowDataset;
import org.wegeft.nn.data.DataLoader;
import org.wegeft.nn.data.LoaderOptions;
import org.wegeft.vision.data.ImageBatch;
import org.wegeft.vision.data.ImageLoaders;
import org.wegeft.vision.data.ImagePipeline;

/**
 * Images per second of the data pipeline alone: PNG decode → resize to the
 * model size → random horizontal flip → normalise → collate, on background workers, with the demo's settings.
 * One warm-up epoch, then {@code --epochs} timed epochs. Not a test: the figure depends on the machine.
 *
 * <pre>
 * java &lt;flags&gt; -cp cli/target/wegeft.jar org.wegeft.cli.data.LoaderThroughput \
 *     [FILE.arrow] [--size 32] [--batch 64] [--workers 2] [--epochs 5]
 * </pre>
 */
public final class LoaderThroughput {
    private LoaderThroughput() {}

    public static void main(String[] args) {
        Path file = Path.of("examples/data/digits-train.arrow");
        int size = 32;
        int batch = 64;
        int workers = 2;
        int epochs = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--size" -> size = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--workers" -> workers = Integer.parseInt(args[++i]);
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                default -> file = Path.of(args[i]);
            }
        }
        long t0 = System.nanoTime();
        ArrowDataset ds = ImageLoaders.open(file, "image", "label");
        double openMs = (System.nanoTime() - t0) / 1e6;
        var pipeline = ImagePipeline.resize(size, true, List.of(0.5, 0.5, 0.5), List.of(0.5, 0.5, 0.5));
        var opts = new LoaderOptions(batch, true, true, workers, 4, 0);
        try (DataLoader<ImageBatch> loader = ImageLoaders.classification(ds, "image", "label", null, pipeline,
                opts)) {
            run(loader, 0); // warm-up (JIT)
            long images = 0;
            long start = System.nanoTime();
            for (int e = 1; e <= epochs; e++) {
                images += run(loader, e);
            }
            double s = (System.nanoTime() - start) / 1e9;
            System.out.printf("%s: %d rows (opened in %.0f ms); %d px, batch %d, %d workers, %d epochs: "
                    + "%d images in %.2f s = %.0f images/s%n", file, ds.size(), openMs, size, batch, workers, epochs,
                    images, s, images / s);
        }
    }

    private static long run(DataLoader<ImageBatch> loader, int epoch) {
        long n = 0;
        double sink = 0;
        var it = loader.epoch(epoch);
        while (it.hasNext()) {
            ImageBatch b = it.next();
            n += b.batchSize();
            sink += b.pixels()[0];
        }
        if (Double.isNaN(sink)) {
            System.out.println("NaN pixel");
        }
        return n;
    }
}
