package org.wegeft.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code save_to_disk} folder in Hugging Face datasets' layout (Arrow stream shards, {@code state.json},
 * {@code dataset_info.json} with a ClassLabel feature) reads as the same rows as one Arrow file.
 */
class SavedDatasetTest {
    static final List<String> NAMES = List.of("zero", "one", "two", "three", "four");

    @TempDir
    Path dir;

    private static List<byte[]> images(int from, int to) {
        List<byte[]> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(new byte[] {(byte) i, (byte) (2 * i), 7});
        }
        return out;
    }

    private static long[] labels(int from, int to) {
        return java.util.stream.LongStream.range(from, to).map(i -> i % 4).toArray();
    }

    private Path savedFolder(boolean withState) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("digits-saved"));
        new ArrowWriter().binary("image", images(0, 6)).integers("label", 64, labels(0, 6))
                .write(folder.resolve("data-00000-of-00002.arrow"), ArrowWriter.Format.STREAM);
        new ArrowWriter().binary("image", images(6, 10)).integers("label", 64, labels(6, 10))
                .write(folder.resolve("data-00001-of-00002.arrow"), ArrowWriter.Format.STREAM);
        if (withState) {
            Files.writeString(folder.resolve("state.json"), """
                    {"_data_files": [{"filename": "data-00000-of-00002.arrow"},
                                     {"filename": "data-00001-of-00002.arrow"}],
                     "_fingerprint": "0123456789abcdef", "_format_columns": null, "_format_kwargs": {},
                     "_format_type": null, "_output_all_columns": false, "_split": "train"}
                    """);
        }
        Files.writeString(folder.resolve("dataset_info.json"), """
                {"citation": "", "description": "",
                 "features": {"image": {"dtype": "binary", "_type": "Value"},
                              "label": {"names": ["zero", "one", "two", "three", "four"], "_type": "ClassLabel"}},
                 "homepage": "", "license": ""}
                """);
        return folder;
    }

    @Test
    void twoShardsReadAsOneFileWithTheirClassNames() throws IOException {
        Path single = dir.resolve("digits.arrow");
        new ArrowWriter().binary("image", images(0, 10)).integers("label", 64, labels(0, 10))
                .write(single, ArrowWriter.Format.FILE);
        for (boolean withState : new boolean[] {true, false}) {
            Path folder = savedFolder(withState);
            ArrowDataset a = ArrowDataset.open(single, ColumnSpec.image("image"), ColumnSpec.integer("label"));
            ArrowDataset b = ArrowDataset.open(folder, ColumnSpec.image("image"), ColumnSpec.integer("label"));
            assertEquals(a.size(), b.size());
            for (int r = 0; r < a.size(); r++) {
                assertArrayEquals(a.bytes("image", r), b.bytes("image", r), "row " + r);
                assertEquals(a.integer("label", r), b.integer("label", r), "row " + r);
            }
            assertEquals(NAMES, b.classNames("label"));
            assertEquals(List.of(), a.classNames("label"));
            assertEquals(4, a.numClasses("label"));
            assertEquals(5, b.numClasses("label"), "the ClassLabel's five names, though label 4 never occurs");
            Files.walk(folder).sorted((x, y) -> y.compareTo(x)).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void anImageWithOnlyAPathIsReadRelativeToTheDataFile() throws IOException {
        Path images = Files.createDirectories(dir.resolve("photos"));
        Files.write(images.resolve("a.png"), new byte[] {1, 2, 3, 4});
        Path arrow = dir.resolve("data.arrow");
        List<byte[]> bytes = new ArrayList<>();
        bytes.add(null);
        bytes.add(new byte[] {9, 9});
        new ArrowWriter().imageStruct("image", bytes, List.of("photos/a.png", "inline.png"))
                .integers("label", 64, new long[] {0, 1}).write(arrow, ArrowWriter.Format.STREAM);
        ArrowDataset ds = ArrowDataset.open(arrow, ColumnSpec.image("image"), ColumnSpec.integer("label"));
        assertArrayEquals(new byte[] {1, 2, 3, 4}, ds.bytes("image", 0));
        assertArrayEquals(new byte[] {9, 9}, ds.bytes("image", 1));
        assertEquals("photos/a.png", ds.imagePath("image", 0));
        Files.delete(images.resolve("a.png"));
        DatasetException e = assertThrows(DatasetException.class,
                () -> ArrowDataset.open(arrow, ColumnSpec.image("image"), ColumnSpec.integer("label")));
        assertTrue(e.getMessage().contains("row 0") && e.getMessage().contains("photos/a.png"), e.getMessage());
    }

    @Test
    void aMissingShardOrADatasetDictIsNamed() throws IOException {
        Path folder = savedFolder(true);
        Files.delete(folder.resolve("data-00001-of-00002.arrow"));
        DatasetException e = assertThrows(DatasetException.class,
                () -> ArrowDataset.open(folder, ColumnSpec.integer("label")));
        assertTrue(e.getMessage().contains("state.json") && e.getMessage().contains("data-00001-of-00002.arrow"),
                e.getMessage());
        Path dict = Files.createDirectories(dir.resolve("dict"));
        Files.writeString(dict.resolve("dataset_dict.json"), "{\"splits\": [\"train\", \"test\"]}");
        DatasetException d = assertThrows(DatasetException.class,
                () -> ArrowDataset.open(dict, ColumnSpec.integer("label")));
        assertTrue(d.getMessage().contains("[train, test]"), d.getMessage());
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertThrows(DatasetException.class, () -> ArrowDataset.open(empty, ColumnSpec.integer("label")));
    }
}
