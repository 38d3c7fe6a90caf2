package org.wegeft.cli.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;
import org.wegeft.nn.data.ArrowWriter;

/**
 * Writes the embedded data sets (see tools/data/README.md and NOTICE):
 *
 * <pre>
 *   digits.csv.gz (scikit-learn, 1,797 8×8 images, values 0..16)  →  digits-train.arrow (1,000), digits-test.arrow (797)
 *   Fashion-MNIST t10k (first 1,000 images)                         →  fashion-mnist-test-1k.arrow
 *   [--fashion-full DIR]  Fashion-MNIST train (60,000) + t10k (10,000) → DIR/fashion-mnist-{train,test}.arrow
 * </pre>
 *
 * All files: Arrow IPC stream format (as Hugging Face {@code datasets} caches), columns
 * {@code image: struct<bytes: binary, path: string>} (grayscale PNG) and {@code label: int64}.
 */
public final class ConvertData {
    static final Path DIGITS = Path.of("/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz");
    static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");
    static final int DIGITS_TRAIN = 1000;

    private ConvertData() {}

    /** A grayscale image (row-major uint8 pixels) with its label and source path. */
    record Item(byte[] pixels, int height, int width, int label, String path) {}

    public static void main(String[] args) throws IOException {
        Path digits = DIGITS;
        Path fashion = FASHION;
        Path out = Path.of("examples/data");
        Path full = null;
        long seed = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--digits" -> digits = Path.of(args[++i]);
                case "--fashion" -> fashion = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--fashion-full" -> full = Path.of(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                default -> {
                    System.err.println("usage: ConvertData [--digits digits.csv.gz] [--fashion DIR] [--out DIR]"
                            + " [--fashion-full DIR] [--seed N]   (unknown: " + args[i] + ")");
                    System.exit(2);
                }
            }
        }
        for (Path need : new Path[] {digits, fashion.resolve("t10k-images-idx3-ubyte.gz")}) {
            if (!Files.isRegularFile(need)) {
                System.err.println("ConvertData: " + need + " not found; install the Debian packages python3-sklearn"
                        + " and dataset-fashion-mnist, or pass --digits FILE / --fashion DIR");
                System.exit(2);
            }
        }
        Files.createDirectories(out);
        List<Item> all = readDigits(digits);
        boolean[] train = stratifiedSplit(all, DIGITS_TRAIN, seed);
        List<Item> tr = new ArrayList<>();
        List<Item> te = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            (train[i] ? tr : te).add(all.get(i));
        }
        write(tr, out.resolve("digits-train.arrow"));
        write(te, out.resolve("digits-test.arrow"));
        List<Item> test = readIdx(fashion, "t10k", 1000);
        write(test, out.resolve("fashion-mnist-test-1k.arrow"));
        if (full != null) {
            Files.createDirectories(full);
            write(readIdx(fashion, "train", Integer.MAX_VALUE), full.resolve("fashion-mnist-train.arrow"));
            write(readIdx(fashion, "t10k", Integer.MAX_VALUE), full.resolve("fashion-mnist-test.arrow"));
        }
    }

    /** digits.csv.gz: one row per image, 64 pixel values 0..16 (row-major 8×8) then the label. */
    static List<Item> readDigits(Path csvGz) throws IOException {
        List<Item> items = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(csvGz))) {
            String[] lines = new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n");
            for (String line : lines) {
                if (line.isBlank()) {
                    continue;
                }
                String[] v = line.trim().split(",");
                if (v.length != 65) {
                    throw new IOException(csvGz + ": row " + items.size() + " has " + v.length + " values, expected 65");
                }
                byte[] px = new byte[64];
                for (int k = 0; k < 64; k++) {
                    px[k] = (byte) scale16(Integer.parseInt(v[k].split("\\.")[0]));
                }
                int label = Integer.parseInt(v[64].split("\\.")[0]);
                items.add(new Item(px, 8, 8, label, String.format("digits/%04d.png", items.size())));
            }
        }
        return items;
    }

    /** 0..16 → 0..255: round(v · 255 / 16), halves up. */
    static int scale16(int v) {
        if (v < 0 || v > 16) {
            throw new IllegalArgumentException("digits pixel " + v + " outside 0..16");
        }
        return (v * 255 + 8) / 16;
    }

    /**
     * Per class, a seeded shuffle of that class's rows; class c gives its share of {@code nTrain}
     * (floor(nTrain · n_c / N), the remainder to the classes with the largest fractional parts, ties to the lower
     * class), taken from the front of its shuffle.
     */
    static boolean[] stratifiedSplit(List<Item> items, int nTrain, long seed) {
        int classes = items.stream().mapToInt(Item::label).max().orElse(-1) + 1;
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < items.size(); i++) {
            byClass.get(items.get(i).label()).add(i);
        }
        int[] quota = new int[classes];
        double[] frac = new double[classes];
        int given = 0;
        for (int c = 0; c < classes; c++) {
            double exact = (double) nTrain * byClass.get(c).size() / items.size();
            quota[c] = (int) Math.floor(exact);
            frac[c] = exact - quota[c];
            given += quota[c];
        }
        for (; given < nTrain; given++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (frac[c] > frac[best]) {
                    best = c;
                }
            }
            quota[best]++;
            frac[best] = -1;
        }
        boolean[] train = new boolean[items.size()];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int c = 0; c < classes; c++) {
            List<Integer> idx = byClass.get(c);
            for (int i = idx.size() - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                idx.set(i, idx.set(j, idx.get(i)));
            }
            for (int k = 0; k < quota[c]; k++) {
                train[idx.get(k)] = true;
            }
        }
        return train;
    }

    /** IDX files {@code <prefix>-images-idx3-ubyte.gz} / {@code -labels-idx1-ubyte.gz}, the first {@code max}. */
    static List<Item> readIdx(Path dir, String prefix, int max) throws IOException {
        Path imgs = dir.resolve(prefix + "-images-idx3-ubyte.gz");
        Path labs = dir.resolve(prefix + "-labels-idx1-ubyte.gz");
        try (var im = new DataInputStream(new GZIPInputStream(Files.newInputStream(imgs)));
                var lb = new DataInputStream(new GZIPInputStream(Files.newInputStream(labs)))) {
            if (im.readInt() != 0x803 || lb.readInt() != 0x801) {
                throw new IOException(imgs + " / " + labs + ": not IDX image/label files (bad magic)");
            }
            int n = im.readInt();
            if (lb.readInt() != n) {
                throw new IOException(labs + ": label count differs from " + imgs);
            }
            int h = im.readInt();
            int w = im.readInt();
            List<Item> items = new ArrayList<>();
            for (int i = 0; i < Math.min(n, max); i++) {
                byte[] px = new byte[h * w];
                im.readFully(px);
                items.add(new Item(px, h, w, lb.readUnsignedByte(), String.format("fashion-mnist/%s/%05d.png",
                        prefix, i)));
            }
            return items;
        }
    }

    static byte[] png(Item it) {
        BufferedImage img = new BufferedImage(it.width(), it.height(), BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, it.width(), it.height(), it.pixels());
        var bos = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, "png", bos)) {
                throw new IOException("no PNG writer");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bos.toByteArray();
    }

    static void write(List<Item> items, Path file) {
        List<byte[]> pngs = items.stream().map(ConvertData::png).toList();
        long[] labels = items.stream().mapToLong(Item::label).toArray();
        new ArrowWriter().imageStruct("image", pngs, items.stream().map(Item::path).toList())
                .integers("label", 64, labels).write(file, ArrowWriter.Format.STREAM);
        System.out.printf("%s: %d images, %d bytes%n", file, items.size(), file.toFile().length());
    }
}
