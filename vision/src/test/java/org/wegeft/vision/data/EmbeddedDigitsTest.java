package org.wegeft.vision.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.wegeft.nn.data.ArrowDataset;

/** The committed examples/data/*.arrow files, checked against rows of scikit-learn's digits.csv.gz. */
class EmbeddedDigitsTest {
    private static final Path DATA = Path.of("../examples/data");
    private static final ArrowDataset TRAIN = ImageLoaders.open(DATA.resolve("digits-train.arrow"), "image", "label");
    private static final ArrowDataset TEST = ImageLoaders.open(DATA.resolve("digits-test.arrow"), "image", "label");

    /** path → (dataset, row) over both files. */
    private static Map<String, Object[]> byPath() {
        Map<String, Object[]> m = new HashMap<>();
        for (ArrowDataset ds : new ArrowDataset[] {TRAIN, TEST}) {
            for (int r = 0; r < ds.size(); r++) {
                Object[] prev = m.put(ds.imagePath("image", r), new Object[] {ds, r});
                assertEquals(null, prev, "duplicate " + ds.imagePath("image", r));
            }
        }
        return m;
    }

    @Test
    void splitIsVtab1kStyleAndCoversEveryRowOnce() {
        assertEquals(1000, TRAIN.size());
        assertEquals(797, TEST.size());
        Map<String, Object[]> m = byPath();
        for (int i = 0; i < 1797; i++) {
            assertTrue(m.containsKey(String.format("digits/%04d.png", i)), "row " + i);
        }
        int[] perClass = new int[10];
        for (int r = 0; r < TRAIN.size(); r++) {
            perClass[(int) TRAIN.integer("label", r)]++;
        }
        for (int c = 0; c < 10; c++) {
            assertTrue(perClass[c] >= 97 && perClass[c] <= 103, "class " + c + ": " + perClass[c]);
        }
    }

    @ParameterizedTest
    @CsvSource({
        "0,0,0:0:5:13:9:1:0:0:0:0:13:15:10:15:5:0:0:3:15:2:0:11:8:0:0:4:12:0:0:8:8:0:0:5:8:0:0:9:8:0:0:4:11:0:1:12:7:0:0:2:14:5:10:12:0:0:0:0:6:13:10:0:0:0",
        "1,1,0:0:0:12:13:5:0:0:0:0:0:11:16:9:0:0:0:0:3:15:16:6:0:0:0:7:15:16:16:2:0:0:0:0:1:16:16:3:0:0:0:0:1:16:16:6:0:0:0:0:1:16:16:6:0:0:0:0:0:11:16:10:0:0",
        "999,3,0:0:9:15:14:2:0:0:0:0:9:3:9:8:0:0:0:0:0:0:6:10:0:0:0:0:0:10:15:2:0:0:0:0:2:10:11:15:2:0:0:3:1:0:0:14:4:0:0:10:13:7:2:12:4:0:0:0:7:14:16:10:0:0",
        "1796,8,0:0:10:14:8:1:0:0:0:2:16:14:6:1:0:0:0:0:15:15:8:15:0:0:0:0:5:16:16:10:0:0:0:0:12:15:15:12:0:0:0:4:16:6:4:16:6:0:0:8:16:10:8:16:8:0:0:1:8:12:14:12:1:0"
    })
    void pngDecodesToTheSourcePixelsScaledTo255(int csvRow, int label, String pixels) throws IOException {
        Object[] at = byPath().get(String.format("digits/%04d.png", csvRow));
        ArrowDataset ds = (ArrowDataset) at[0];
        int row = (int) at[1];
        assertEquals(label, ds.integer("label", row));
        byte[] png = ds.bytes("image", row);
        DecodedImage img = new ImageDecoder().decode(png, png.length);
        assertEquals(8, img.height());
        assertEquals(8, img.width());
        String[] v = pixels.split(":");
        for (int k = 0; k < 64; k++) {
            int expected = Math.round(Integer.parseInt(v[k]) * 255f / 16f);
            for (int c = 0; c < 3; c++) {
                assertEquals(expected, Math.round(img.data()[c * 64 + k] * 255f), "pixel " + k + " channel " + c);
            }
        }
    }

    @Test
    void fashionMnistSampleHasThousandLabelledImages() throws IOException {
        var ds = ImageLoaders.open(DATA.resolve("fashion-mnist-test-1k.arrow"), "image", "label");
        assertEquals(1000, ds.size());
        assertEquals(10, ds.numClasses("label"));
        byte[] png = ds.bytes("image", 0);
        DecodedImage img = new ImageDecoder().decode(png, png.length);
        assertEquals(28, img.height());
        assertEquals(28, img.width());
    }
}
