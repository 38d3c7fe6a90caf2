package org.wegeft.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parquet files written by DuckDB (tools/fixtures/make_parquet_fixtures.sh) read as the same rows as the Arrow files
 * they were made from, alone, as a folder of shards or through a glob; bad files raise {@link DatasetException}
 * naming the file (and the column where one is at fault).
 */
class ParquetDatasetTest {
    static final Path DATA = Path.of("..", "examples", "data");
    static final List<String> NAMES = List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
            "nine");

    @TempDir
    Path dir;

    private static ArrowDataset digits(Path p) {
        return ArrowDataset.open(p, ColumnSpec.image("image"), ColumnSpec.integer("label"));
    }

    /** Rows of {@code b} from {@code offset} on equal all rows of {@code a}. */
    private static void assertSameRows(ArrowDataset a, ArrowDataset b, int offset) {
        for (int r = 0; r < a.size(); r++) {
            assertArrayEquals(a.bytes("image", r), b.bytes("image", offset + r), "row " + r);
            assertEquals(a.integer("label", r), b.integer("label", offset + r), "row " + r);
        }
    }

    @Test
    void digitsParquetHasTheArrowRowsAndItsClassLabelNames() {
        for (String split : List.of("train", "test")) {
            ArrowDataset arrow = digits(DATA.resolve("digits-" + split + ".arrow"));
            ArrowDataset parquet = digits(DATA.resolve("digits-" + split + ".parquet"));
            assertEquals(arrow.size(), parquet.size());
            assertTrue(parquet.isEncodedImage("image"));
            assertSameRows(arrow, parquet, 0);
            assertEquals(NAMES, parquet.classNames("label"), "from the huggingface footer metadata");
            assertEquals(List.of(), arrow.classNames("label"));
            assertEquals(10, parquet.numClasses("label"));
            assertEquals("", parquet.imagePath("image", 0), "a null path reads as empty");
        }
        assertEquals(List.of("image", "label"), ArrowDataset.columnNames(DATA.resolve("digits-test.parquet")));
    }

    private Path shards(String... names) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("data"));
        String[] sources = {"digits-train.parquet", "digits-test.parquet"};
        for (int i = 0; i < names.length; i++) {
            Files.copy(DATA.resolve(sources[i % 2]), folder.resolve(names[i]));
        }
        return folder;
    }

    @Test
    void aFolderOrGlobOfShardsReadsInNameOrder() throws IOException {
        Path folder = shards("train-00000-of-00002.parquet", "train-00001-of-00002.parquet");
        ArrowDataset train = digits(DATA.resolve("digits-train.parquet"));
        ArrowDataset test = digits(DATA.resolve("digits-test.parquet"));
        for (Path p : List.of(folder, folder.resolve("train-*.parquet"), folder.resolve("*"))) {
            ArrowDataset both = digits(p);
            assertEquals(train.size() + test.size(), both.size(), p.toString());
            assertSameRows(train, both, 0);
            assertSameRows(test, both, train.size());
            assertEquals(NAMES, both.classNames("label"));
        }
    }

    static List<Object[]> badPaths() {
        return List.of(
                new Object[] {"missing shard", (Function<ParquetDatasetTest, Path>) t -> t.folder(
                        "train-00000-of-00003.parquet", "train-00002-of-00003.parquet"), "train-00001-of-00003"},
                new Object[] {"shard counts disagree", (Function<ParquetDatasetTest, Path>) t -> t.folder(
                        "train-00000-of-00002.parquet", "train-00001-of-00003.parquet"), "disagree"},
                new Object[] {"two series", (Function<ParquetDatasetTest, Path>) t -> t.folder(
                        "train-00000-of-00001.parquet", "test-00000-of-00001.parquet"), "several shard series"},
                new Object[] {"glob without match", (Function<ParquetDatasetTest, Path>) t -> t.folder(
                        "train-00000-of-00001.parquet").resolve("valid-*.parquet"), "no file matches"},
                new Object[] {"no such file", (Function<ParquetDatasetTest, Path>) t -> t.dir.resolve("none.parquet"),
                        "no such file"});
    }

    private Path folder(String... names) {
        try {
            return shards(names);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPaths")
    void badShardLayoutsAreReportedWithThePath(String name, Function<ParquetDatasetTest, Path> make, String says) {
        Path p = make.apply(this);
        DatasetException e = assertThrows(DatasetException.class, () -> digits(p));
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains(says), e.getMessage());
    }

    @Test
    void wrongTypesAndMissingColumnsNameTheFileAndColumn() {
        Path p = DATA.resolve("digits-test.parquet");
        for (var c : Map.of("label", ColumnSpec.string("label"), "image", ColumnSpec.integer("image"),
                "label ", ColumnSpec.image("label"), "image  ", ColumnSpec.messages("image")).entrySet()) {
            DatasetException e = assertThrows(DatasetException.class, () -> ArrowDataset.open(p, c.getValue()));
            assertEquals(c.getKey().strip(), e.column());
            assertTrue(e.getMessage().contains("digits-test.parquet") && e.getMessage().contains("has type")
                    && e.getMessage().contains("expected"), e.getMessage());
        }
        DatasetException e = assertThrows(DatasetException.class, () -> ArrowDataset.open(p,
                ColumnSpec.integer("labels")));
        assertTrue(e.getMessage().contains("no such column") && e.getMessage().contains("[image, label]"),
                e.getMessage());
    }

    @Test
    void corruptFilesRaiseTheTypedException() throws IOException {
        byte[] good = Files.readAllBytes(DATA.resolve("digits-test.parquet"));
        List<byte[]> bad = List.of(
                Arrays.copyOf(good, good.length / 2),                 // truncated: no footer
                Arrays.copyOfRange(good, 0, 12),                      // a header and nothing else
                overwrite(good, 4, 4000),                             // pages overwritten, footer intact
                overwrite(good, good.length - 600, 500));             // footer overwritten
        for (int i = 0; i < bad.size(); i++) {
            Path f = dir.resolve("bad-" + i + ".parquet");
            Files.write(f, bad.get(i));
            DatasetException e = assertThrows(DatasetException.class, () -> digits(f).bytes("image", 0), "case " + i);
            assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        }
    }

    private static byte[] overwrite(byte[] good, int from, int n) {
        byte[] b = good.clone();
        for (int i = from; i < from + n; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    @Test
    void arrowMessageListsRoundTrip() {
        List<List<Map<String, String>>> chats = List.of(
                List.of(Map.of("role", "system", "content", "Be brief."), Map.of("role", "user", "content", "你好 😀")),
                List.of(),
                List.of(Map.of("role", "assistant", "content", "café")));
        Path f = dir.resolve("chat.arrow");
        new ArrowWriter().messages("messages", chats).batchRows(2).write(f, ArrowWriter.Format.STREAM);
        ArrowDataset ds = ArrowDataset.open(f, ColumnSpec.messages("messages"));
        assertEquals(3, ds.size());
        for (int r = 0; r < 3; r++) {
            assertEquals(chats.get(r), ds.messages("messages", r), "row " + r);
            for (Map<String, String> m : ds.messages("messages", r)) {
                assertEquals(List.of("role", "content"), List.copyOf(m.keySet()), "role and content come first");
            }
        }
        DatasetException e = assertThrows(DatasetException.class, () -> ArrowDataset.open(f,
                ColumnSpec.string("messages")));
        assertTrue(e.getMessage().contains("chat.arrow") && e.getMessage().contains("'messages'"), e.getMessage());
    }
}
