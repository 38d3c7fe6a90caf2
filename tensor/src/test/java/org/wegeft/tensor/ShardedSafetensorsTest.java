package org.wegeft.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.wegeft.kernels.DType;

class ShardedSafetensorsTest {
    @TempDir
    Path dir;

    @Test
    void shardedRoundTripSplitsBySizeAndReadsBackBitExact() throws IOException {
        List<Storage> storages = new ArrayList<>();
        try {
            SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
            long[] sizes = {100, 300, 50, 50, 400, 10};
            for (int i = 0; i < sizes.length; i++) {
                Storage s = SafetensorsFileTest.randomStorage(DType.F32, sizes[i], 100 + i);
                storages.add(s);
                w.add("layer." + i + ".weight", DType.F32, new long[] {sizes[i]}, s);
            }
            // 1600 bytes per shard: [100,300] [50,50] [400] [10] → grouped greedily
            List<Path> shards = w.writeSharded(dir, 1600);
            assertEquals(4, shards.size());
            assertEquals("model-00001-of-00004.safetensors", shards.get(0).getFileName().toString());
            assertTrue(Files.isRegularFile(dir.resolve(ShardedSafetensors.INDEX)));
            try (ShardedSafetensors ck = ShardedSafetensors.open(dir)) {
                assertEquals(4, ck.shards().size());
                assertEquals(String.valueOf(4 * (100 + 300 + 50 + 50 + 400 + 10)), ck.metadata().get("total_size"));
                assertEquals(sizes.length, ck.tensors().size());
                for (int i = 0; i < sizes.length; i++) {
                    String name = "layer." + i + ".weight";
                    assertEquals(name, ck.tensors().get(i).name());
                    assertArrayEquals(SafetensorsFileTest.bytesOf(storages.get(i)), ck.readBytes(name));
                    try (Storage s = ck.storage(name)) {
                        assertArrayEquals(SafetensorsFileTest.bytesOf(storages.get(i)), SafetensorsFileTest.bytesOf(s));
                    }
                }
                assertEquals("pt", ck.shardOf("layer.5.weight").metadata().get("format"));
            }
        } finally {
            storages.forEach(Storage::close);
        }
    }

    @Test
    void folderWithSingleModelFileOpens() throws IOException {
        try (Storage s = SafetensorsFileTest.randomStorage(DType.BF16, 8, 1)) {
            new SafetensorsWriter().add("w", DType.BF16, new long[] {2, 4}, s).write(dir.resolve("model.safetensors"));
            try (ShardedSafetensors ck = ShardedSafetensors.open(dir)) {
                assertEquals(List.of("w"), ck.tensors().stream().map(TensorInfo::name).toList());
                assertEquals("BF16", ck.info("w").dtype());
            }
        }
    }

    @Test
    void aFolderReachedThroughDotDotOpensItsShards() throws IOException {
        try (Storage a = SafetensorsFileTest.randomStorage(DType.F32, 100, 1);
                Storage b = SafetensorsFileTest.randomStorage(DType.F32, 100, 2)) {
            Path folder = dir.resolve("model");
            new SafetensorsWriter().add("a", DType.F32, new long[] {100}, a).add("b", DType.F32, new long[] {100}, b)
                    .writeSharded(folder, 400);
            Files.createDirectories(dir.resolve("elsewhere"));
            Path viaDotDot = dir.resolve("elsewhere").resolve("..").resolve("model");
            try (ShardedSafetensors ck = ShardedSafetensors.open(viaDotDot)) {
                assertEquals(2, ck.shards().size());
                assertArrayEquals(new long[] {100}, ck.info("b").shape());
            }
        }
    }

    static Stream<Arguments> brokenIndexes() {
        return Stream.of(
                Arguments.of("not JSON", "{\"weight_map\": ", "header", "not valid JSON"),
                Arguments.of("no weight_map", "{\"metadata\": {}}", "weight_map", "missing"),
                Arguments.of("tensor missing from shard", "{\"weight_map\": {\"ghost\": \"shard.safetensors\"}}",
                        "ghost", "no such tensor"),
                Arguments.of("shard escapes folder", "{\"weight_map\": {\"w\": \"../shard.safetensors\"}}",
                        "w", "plain file name"),
                Arguments.of("shard missing", "{\"weight_map\": {\"w\": \"other.safetensors\"}}", "w", "does not exist"),
                Arguments.of("shard not a string", "{\"weight_map\": {\"w\": 7}}", "w", "file name string"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenIndexes")
    void brokenIndexRaisesTypedErrorNamingIndexAndKey(String label, String index, String key, String problem)
            throws IOException {
        try (Storage s = SafetensorsFileTest.randomStorage(DType.F32, 4, 1)) {
            new SafetensorsWriter().add("w", DType.F32, new long[] {4}, s).write(dir.resolve("shard.safetensors"));
        }
        Files.writeString(dir.resolve(ShardedSafetensors.INDEX), index);
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> ShardedSafetensors.open(dir).close());
        assertTrue(e.getMessage().contains(ShardedSafetensors.INDEX), e.getMessage());
        assertTrue(e.getMessage().contains(key), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void emptyFolderIsATypedError() {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> ShardedSafetensors.open(dir));
        assertTrue(e.getMessage().contains(ShardedSafetensors.INDEX), e.getMessage());
    }
}
