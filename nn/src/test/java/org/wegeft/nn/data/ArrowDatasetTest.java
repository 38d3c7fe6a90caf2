package org.wegeft.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ArrowDatasetTest {
    @TempDir
    Path dir;

    private static final int ROWS = 25;

    private static List<byte[]> blobs(int n, int len, long seed, boolean varying) {
        Random r = new Random(seed);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[varying ? 1 + r.nextInt(len) : len];
            r.nextBytes(b);
            out.add(b);
        }
        return out;
    }

    private static long[] labels(int n) {
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = (i * 7L) % 10 - (i == 3 ? 100 : 0);
        }
        return y;
    }

    private Path writeImages(ArrowWriter.Format format, int bits) {
        Path p = dir.resolve("img-" + format + ".arrow");
        List<byte[]> png = blobs(ROWS, 50, 1, true);
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            paths.add("img" + i + ".png");
        }
        new ArrowWriter().batchRows(7).imageStruct("image", png, paths).integers("label", bits, labels(ROWS))
                .strings("name", paths).write(p, format);
        return p;
    }

    @ParameterizedTest
    @EnumSource(ArrowWriter.Format.class)
    void hfImageStructRoundTripsInBothFormats(ArrowWriter.Format format) {
        Path p = writeImages(format, 64);
        var ds = ArrowDataset.open(p, ColumnSpec.image("image"), ColumnSpec.integer("label"),
                ColumnSpec.string("name"));
        assertEquals(ROWS, ds.size());
        assertTrue(ds.isEncodedImage("image"));
        List<byte[]> expected = blobs(ROWS, 50, 1, true);
        long[] y = labels(ROWS);
        for (int r = 0; r < ROWS; r++) {
            assertArrayEquals(expected.get(r), ds.bytes("image", r), "row " + r);
            assertEquals(y[r], ds.integer("label", r));
            assertEquals("img" + r + ".png", ds.string("name", r));
            assertEquals("img" + r + ".png", ds.imagePath("image", r));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 16, 32, 64})
    void integerLabelsOfEveryWidthAreRead(int bits) {
        Path p = writeImages(ArrowWriter.Format.STREAM, bits);
        var ds = ArrowDataset.open(p, ColumnSpec.integer("label"));
        long[] y = labels(ROWS);
        for (int r = 0; r < ROWS; r++) {
            assertEquals(y[r], ds.integer("label", r));
        }
        assertEquals(10, ds.numClasses("label"));
    }

    enum RawKind { BINARY, LIST, FIXED_LIST }

    @ParameterizedTest
    @EnumSource(RawKind.class)
    void rawUint8ColumnsRoundTrip(RawKind kind) {
        List<byte[]> px = blobs(ROWS, 4 * 4 * 3, 2, false);
        var w = new ArrowWriter().batchRows(10);
        switch (kind) {
            case BINARY -> w.binary("pixels", px);
            case LIST -> w.uint8List("pixels", px);
            case FIXED_LIST -> w.uint8FixedList("pixels", px, 48);
        }
        for (ArrowWriter.Format f : ArrowWriter.Format.values()) {
            Path p = dir.resolve(kind + "-" + f + ".arrow");
            w.write(p, f);
            var ds = ArrowDataset.open(p, ColumnSpec.image("pixels"));
            assertFalse(ds.isEncodedImage("pixels"));
            byte[] buf = new byte[64];
            for (int r = 0; r < ROWS; r++) {
                assertArrayEquals(px.get(r), ds.bytes("pixels", r), kind + " " + f + " row " + r);
                assertEquals(48, ds.readBytes("pixels", r, buf));
                assertArrayEquals(px.get(r), Arrays.copyOf(buf, 48));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ArrowWriter.Format.class)
    void truncatedFileNamesTheFile(ArrowWriter.Format format) throws IOException {
        Path p = writeImages(format, 64);
        byte[] all = Files.readAllBytes(p);
        for (int cut : new int[] {all.length / 3, all.length / 2, all.length - 5}) {
            Path t = dir.resolve("cut" + cut + ".arrow");
            Files.write(t, Arrays.copyOf(all, cut));
            var e = assertThrows(DatasetException.class, () -> ArrowDataset.open(t, ColumnSpec.image("image")));
            assertEquals(t, e.file());
            assertTrue(e.getMessage().contains(t.toString()), e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "garbage bytes that are not an arrow file at all, not even close.........."})
    void garbageFileIsRejected(String content) throws IOException {
        Path p = dir.resolve("garbage.arrow");
        Files.writeString(p, content);
        var e = assertThrows(DatasetException.class, () -> ArrowDataset.open(p, ColumnSpec.image("image")));
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(ArrowWriter.Format.class)
    void missingColumnIsNamed(ArrowWriter.Format format) {
        Path p = writeImages(format, 64);
        var e = assertThrows(DatasetException.class, () -> ArrowDataset.open(p, ColumnSpec.integer("labels")));
        assertEquals("labels", e.column());
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("'labels'")
                && e.getMessage().contains("label"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"image:INTEGER", "label:IMAGE", "name:INTEGER", "label:STRING", "name:IMAGE"})
    void wrongColumnTypeIsNamed(String spec) {
        Path p = writeImages(ArrowWriter.Format.FILE, 64);
        String[] s = spec.split(":");
        var e = assertThrows(DatasetException.class,
                () -> ArrowDataset.open(p, new ColumnSpec(s[0], ColumnKind.valueOf(s[1]))));
        assertEquals(s[0], e.column());
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("expected"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(ArrowWriter.Format.class)
    void emptyFileHasNoRows(ArrowWriter.Format format) {
        Path p = dir.resolve("empty.arrow");
        new ArrowWriter().integers("label", 64, new long[0]).write(p, format);
        assertEquals(0, ArrowDataset.open(p, ColumnSpec.integer("label")).size());
    }
}
