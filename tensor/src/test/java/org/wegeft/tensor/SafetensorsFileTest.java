package org.wegeft.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.wegeft.kernels.DType;

class SafetensorsFileTest {
    @TempDir
    Path dir;

    static Storage randomStorage(DType dtype, long elements, long seed) {
        Storage s = Storage.allocate(dtype, elements);
        byte[] bytes = new byte[(int) s.byteSize()];
        new Random(seed).nextBytes(bytes);
        HostAccess.write(MemorySegment.ofArray(bytes), s, 0);
        return s;
    }

    static byte[] bytesOf(Storage s) {
        byte[] out = new byte[(int) s.byteSize()];
        HostAccess.read(s, 0, MemorySegment.ofArray(out));
        return out;
    }

    /** A file with the given header length prefix, header text and {@code dataBytes} zero bytes of data. */
    static Path craft(Path file, long declaredLength, byte[] header, int dataBytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(header);
        Files.write(file, b.array());
        return file;
    }

    static Path craft(Path file, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return craft(file, h.length, h, dataBytes);
    }

    @Test
    void roundTripIsBitExactAndKeepsOrderMetadataAndDtypes() throws IOException {
        Path file = dir.resolve("model.safetensors");
        try (Storage w = randomStorage(DType.F32, 6, 1);
             Storage h = randomStorage(DType.BF16, 5, 2);
             Storage f = randomStorage(DType.F16, 3, 3);
             Storage ids = randomStorage(DType.I32, 4, 4);
             Storage scalar = randomStorage(DType.F32, 1, 5);
             Storage empty = Storage.allocate(DType.F32, 0)) {
            new SafetensorsWriter().metadata("format", "pt").metadata("note", "ünïcode ✓")
                    .add("z.weight", DType.F32, new long[] {2, 3}, w)
                    .add("a.bf16", DType.BF16, new long[] {5}, h)
                    .add("m.f16", DType.F16, new long[] {1, 3}, f)
                    .add("ids", DType.I32, new long[] {2, 2}, ids)
                    .add("scalar", DType.F32, new long[] {}, scalar)
                    .add("empty", DType.F32, new long[] {0, 7}, empty)
                    .write(file);
            try (SafetensorsFile sf = SafetensorsFile.open(file)) {
                assertEquals(Map.of("format", "pt", "note", "ünïcode ✓"), sf.metadata());
                assertEquals(List.of("z.weight", "a.bf16", "m.f16", "ids", "scalar", "empty"),
                        sf.tensors().stream().map(TensorInfo::name).toList());
                assertEquals(List.of("F32", "BF16", "F16", "I32", "F32", "F32"),
                        sf.tensors().stream().map(TensorInfo::dtype).toList());
                assertArrayEquals(new long[] {2, 3}, sf.info("z.weight").shape());
                assertArrayEquals(new long[] {}, sf.info("scalar").shape());
                assertArrayEquals(new long[] {0, 7}, sf.info("empty").shape());
                assertArrayEquals(bytesOf(w), sf.readBytes("z.weight"));
                assertArrayEquals(bytesOf(ids), sf.readBytes("ids"));
                try (Storage bf = sf.storage("a.bf16"); Storage fh = sf.storage("m.f16")) {
                    assertEquals(DType.BF16, bf.dtype());
                    assertEquals(5, bf.elements());
                    assertArrayEquals(bytesOf(h), bytesOf(bf));
                    assertEquals(DType.F16, fh.dtype());
                    assertArrayEquals(bytesOf(f), bytesOf(fh));
                }
                try (Storage e = sf.storage("empty")) {
                    assertEquals(0, e.elements());
                }
            }
        }
        byte[] raw = Files.readAllBytes(file);
        long headerLen = ByteBuffer.wrap(raw, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8, "header is padded to 8 bytes");
        assertEquals('{', raw[8]);
    }

    @Test
    void mappingOutlivesFileWhileStoragesAreOpen() throws IOException {
        Path file = dir.resolve("a.safetensors");
        try (Storage w = randomStorage(DType.F32, 16, 7)) {
            new SafetensorsWriter().add("w", DType.F32, new long[] {4, 4}, w).write(file);
            SafetensorsFile sf = SafetensorsFile.open(file);
            Storage s = sf.storage("w");
            sf.close();
            sf.close(); // idempotent
            if (!s.isHostMemory()) { // a device backend copied the tensor: nothing holds the mapping
                assertFalse(sf.isMapped(), "a device copy does not keep the mapping");
                assertArrayEquals(bytesOf(w), bytesOf(s));
                s.close();
                return;
            }
            assertTrue(sf.isMapped(), "a live storage keeps the mapping");
            assertArrayEquals(bytesOf(w), bytesOf(s));
            assertThrows(SafetensorsException.class, () -> sf.storage("w"));
            s.close();
            assertFalse(sf.isMapped(), "closing the last storage unmaps");
        }
    }

    static Stream<Arguments> violations() {
        String ok = "\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]";
        return Stream.of(
                Arguments.of("truncated file", null, "header", "shorter than"),
                Arguments.of("header length beyond file", "beyond", "header", "past the end"),
                Arguments.of("header length over limit", "huge", "header", "limit"),
                Arguments.of("invalid UTF-8", "utf8", "header", "UTF-8"),
                Arguments.of("bad JSON", "{\"w\":{" + ok + "}", "header", "not valid JSON"),
                Arguments.of("trailing JSON", "{\"w\":{" + ok + "}} {}", "header", "not valid JSON"),
                Arguments.of("not an object", "[1,2]", "header", "not a JSON object"),
                Arguments.of("duplicate key", "{\"w\":{" + ok + "},\"w\":{" + ok + "}}", "header", "Duplicate"),
                Arguments.of("metadata not object", "{\"__metadata__\":[1]}", "__metadata__", "object"),
                Arguments.of("non-string metadata", "{\"__metadata__\":{\"epoch\":3}}", "__metadata__", "epoch"),
                Arguments.of("entry not object", "{\"w\":3}", "w", "must be an object"),
                Arguments.of("extra field", "{\"w\":{" + ok + ",\"x\":1}}", "w", "unexpected field 'x'"),
                Arguments.of("missing field", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", "w", "data_offsets"),
                Arguments.of("unknown dtype", "{\"w\":{\"dtype\":\"F128\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                        "w", "unknown dtype 'F128'"),
                Arguments.of("dtype not string", "{\"w\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}",
                        "w", "dtype"),
                Arguments.of("negative dimension", "{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",
                        "w", "shape[0]"),
                Arguments.of("fractional dimension", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}",
                        "w", "shape[0]"),
                Arguments.of("shape overflow", "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],"
                        + "\"data_offsets\":[0,8]}}", "w", "64 bits"),
                Arguments.of("byte size overflow", "{\"w\":{\"dtype\":\"F64\",\"shape\":[4611686018427387904],"
                        + "\"data_offsets\":[0,8]}}", "w", "overflows"),
                Arguments.of("three offsets", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,9]}}",
                        "w", "two integers"),
                Arguments.of("end before begin", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}",
                        "w", "end before begin"),
                Arguments.of("size mismatch", "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
                        "w", "needs 12"),
                Arguments.of("offsets outside data", "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}",
                        "w", "outside the data section"),
                Arguments.of("overlapping ranges", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", "b", "overlap tensor 'a'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("violations")
    void invalidFileRaisesTypedErrorNamingFileAndKey(String label, String header, String key, String problem)
            throws IOException {
        Path file = dir.resolve("bad-" + label.replace(' ', '_') + ".safetensors");
        if (header == null) {
            Files.write(file, new byte[] {1, 0, 0});
        } else if (header.equals("beyond")) {
            craft(file, 1000, "{}".getBytes(StandardCharsets.US_ASCII), 16);
        } else if (header.equals("huge")) {
            craft(file, 1L << 40, "{}".getBytes(StandardCharsets.US_ASCII), 16);
        } else if (header.equals("utf8")) {
            byte[] h = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
            craft(file, h.length, h, 16);
        } else {
            craft(file, header, 16);
        }
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(file).close());
        assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
        assertTrue(e.getMessage().contains(key), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertEquals(key, e.key());
        assertFalse(e.getMessage().contains("\n"), "one-line message: " + e.getMessage());
    }

    @Test
    void missingFileRaisesTypedError() {
        Path file = dir.resolve("nope.safetensors");
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(file));
        assertTrue(e.getMessage().contains("nope.safetensors"), e.getMessage());
        assertEquals("file", e.key());
    }

    @Test
    void storageOfNonComputeDtypeNamesKeyAndDtype() throws IOException {
        Path file = craft(dir.resolve("i64.safetensors"),
                "{\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}", 16);
        try (SafetensorsFile sf = SafetensorsFile.open(file)) {
            assertEquals(16, sf.readBytes("ids").length);
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> sf.storage("ids"));
            assertTrue(e.getMessage().contains("i64.safetensors") && e.getMessage().contains("ids")
                    && e.getMessage().contains("I64"), e.getMessage());
            SafetensorsException missing = assertThrows(SafetensorsException.class, () -> sf.info("nothing"));
            assertTrue(missing.getMessage().contains("nothing"), missing.getMessage());
        }
    }

    @Test
    void unalignedTensorIsCopiedNotMisread() throws IOException {
        // header of 5 bytes after the length prefix puts the data section at byte 13 (unaligned)
        byte[] header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header).putFloat(1.5f).putFloat(-2.25f);
        Path file = dir.resolve("unaligned.safetensors");
        Files.write(file, b.array());
        try (SafetensorsFile sf = SafetensorsFile.open(file); Storage s = sf.storage("w")) {
            float[] v = new float[2];
            HostAccess.read(s, 0, MemorySegment.ofArray(v));
            assertArrayEquals(new float[] {1.5f, -2.25f}, v);
        }
    }

    @Test
    void failedWriteLeavesPreviousFileIntactAndNoTemporaryFile() throws IOException {
        Path file = dir.resolve("model.safetensors");
        try (Storage a = randomStorage(DType.F32, 1024, 11)) {
            new SafetensorsWriter().add("a", DType.F32, new long[] {1024}, a).write(file);
            byte[] before = Files.readAllBytes(file);
            Storage released = randomStorage(DType.F32, 8, 12);
            SafetensorsWriter w = new SafetensorsWriter()
                    .add("a", DType.F32, new long[] {1024}, a)
                    .add("b", DType.F32, new long[] {8}, released);
            released.close(); // the writer fails after writing "a"'s bytes, mid-file
            assertThrows(IllegalStateException.class, () -> w.write(file));
            assertArrayEquals(before, Files.readAllBytes(file));
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(file), files.toList(), "temporary file removed");
            }
        }
    }
}
