package org.wegeft.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.kernels.DType;

class SafetensorsStreamWriterTest {
    @TempDir
    Path dir;

    /** A source file with three tensors of different dtypes, written by the batch writer. */
    private Path source() throws IOException {
        Path file = dir.resolve("src.safetensors");
        try (Storage a = SafetensorsFileTest.randomStorage(DType.F32, 6, 1);
             Storage b = SafetensorsFileTest.randomStorage(DType.BF16, 5, 2);
             Storage c = SafetensorsFileTest.randomStorage(DType.I32, 3, 3)) {
            new SafetensorsWriter().metadata("format", "pt")
                    .add("a.weight", DType.F32, new long[] {2, 3}, a)
                    .add("b", DType.BF16, new long[] {5}, b)
                    .add("c.ids", DType.I32, new long[] {3}, c)
                    .write(file);
        }
        return file;
    }

    @Test
    void copyingEveryTensorReproducesTheFileByteForByte() throws IOException {
        Path src = source();
        Path out = dir.resolve("out.safetensors");
        try (SafetensorsFile in = SafetensorsFile.open(src);
             SafetensorsStreamWriter w = SafetensorsStreamWriter.create(out, in.metadata(), in.tensors())) {
            for (TensorInfo t : w.dataOrder()) {
                w.copy(t.name(), in, t.name());
            }
            assertNull(w.next());
            w.commit();
            assertEquals(in.tensors(), w.layout());
        }
        assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(out));
    }

    @Test
    void headerOrderIsKeptAndDataFollowsTheSourceOffsets() throws IOException {
        // header lists z before a, but a's bytes come first in the source data section
        List<TensorInfo> given = List.of(new TensorInfo("z", "F32", new long[] {2}, 16, 24),
                new TensorInfo("a", "F32", new long[] {4}, 0, 16));
        Path out = dir.resolve("out.safetensors");
        try (SafetensorsStreamWriter w = SafetensorsStreamWriter.create(out, Map.of(), given);
             Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 4); Tensor z = Tensor.of(new float[] {5, 6}, 2)) {
            assertEquals(List.of("a", "z"), w.dataOrder().stream().map(TensorInfo::name).toList());
            w.write("a", a);
            w.write("z", z);
            w.commit();
        }
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertEquals(List.of("z", "a"), f.tensors().stream().map(TensorInfo::name).toList());
            assertEquals(0, f.info("a").begin());
            assertEquals(16, f.info("z").begin());
            assertArrayEquals(new float[] {5, 6}, Tensor.wrap(f.storage("z"), 2).toFloatArray());
        }
    }

    @Test
    void writesAComputedTensorAndRawBytes() throws IOException {
        Path out = dir.resolve("out.safetensors");
        List<TensorInfo> given = List.of(new TensorInfo("w", "BF16", new long[] {2, 2}, 0, 8),
                new TensorInfo("u8", "U8", new long[] {3}, 8, 11));
        try (SafetensorsStreamWriter w = SafetensorsStreamWriter.create(out, Map.of("k", "v"), given);
             Tensor f = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2); Tensor t = f.t(); Tensor h = t.to(DType.BF16)) {
            w.write("w", h); // a transposed view: written in logical (row-major) order
            w.write("u8", new byte[] {7, 8, 9});
            assertEquals(11, w.bytesWritten());
            w.commit();
        }
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertEquals(Map.of("k", "v"), f.metadata());
            assertArrayEquals(new float[] {1, 3, 2, 4}, Tensor.wrap(f.storage("w"), 2, 2).toFloatArray());
            assertArrayEquals(new byte[] {7, 8, 9}, f.readBytes("u8"));
        }
    }

    @Test
    void headerIsWrittenBeforeAnyTensorAndPaddedToEightBytes() throws IOException {
        Path out = dir.resolve("out.safetensors");
        List<TensorInfo> given = List.of(new TensorInfo("x", "F32", new long[] {1}, 0, 4));
        try (SafetensorsStreamWriter w = SafetensorsStreamWriter.create(out, Map.of(), given)) {
            Path tmp;
            try (Stream<Path> s = Files.list(dir)) {
                tmp = s.filter(p -> p.getFileName().toString().startsWith(".out.safetensors.wegeft-tmp-")).findFirst()
                        .orElseThrow();
            }
            byte[] bytes = Files.readAllBytes(tmp);
            long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(0, n % 8);
            assertEquals(8 + n, bytes.length);
            assertTrue(new String(bytes, 8, (int) n, StandardCharsets.UTF_8).contains("\"data_offsets\":[0,4]"));
            assertFalse(Files.exists(out), "nothing at the target before commit");
        }
    }

    @Test
    void closingWithoutCommitLeavesNoFile() throws IOException {
        Path out = dir.resolve("out.safetensors");
        List<TensorInfo> given = List.of(new TensorInfo("x", "F32", new long[] {1}, 0, 4));
        try (SafetensorsStreamWriter w = SafetensorsStreamWriter.create(out, Map.of(), given)) {
            w.write("x", new byte[4]);
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void misuseNamesTheTensor() throws IOException {
        Path out = dir.resolve("out.safetensors");
        List<TensorInfo> given = List.of(new TensorInfo("a", "F32", new long[] {2}, 0, 8),
                new TensorInfo("b", "F32", new long[] {1}, 8, 12));
        try (SafetensorsStreamWriter w = SafetensorsStreamWriter.create(out, Map.of(), given);
             Tensor wrongShape = Tensor.of(new float[] {1, 2, 3}, 3)) {
            assertTrue(assertThrows(SafetensorsException.class, () -> w.write("b", new byte[4])).getMessage()
                    .contains("next tensor in the data section is 'a'"));
            assertTrue(assertThrows(SafetensorsException.class, () -> w.write("a", wrongShape)).getMessage()
                    .contains(": a: got a F32 tensor of shape [3]"));
            assertTrue(assertThrows(SafetensorsException.class, () -> w.write("a", new byte[3])).getMessage()
                    .contains("got 3 bytes, the header says 8"));
            w.write("a", new byte[8]);
            assertTrue(assertThrows(SafetensorsException.class, w::commit).getMessage()
                    .contains(": b: not written"));
        }
        List<TensorInfo> twice = List.of(new TensorInfo("a", "F32", new long[] {1}, 0, 4),
                new TensorInfo("a", "F32", new long[] {1}, 4, 8));
        assertTrue(assertThrows(SafetensorsException.class, () -> SafetensorsStreamWriter.create(out, Map.of(),
                twice)).getMessage().contains("listed twice"));
        List<TensorInfo> badType = List.of(new TensorInfo("q", "F7", new long[] {1}, 0, 4));
        assertTrue(assertThrows(SafetensorsException.class, () -> SafetensorsStreamWriter.create(out, Map.of(),
                badType)).getMessage().contains("unknown dtype 'F7'"));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(0, s.count(), "no temporary file left behind");
        }
    }
}
