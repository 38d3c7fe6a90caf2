package org.wegeft.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.kernels.DType;
import org.wegeft.nn.StateDictException;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.SafetensorsFile;
import org.wegeft.tensor.SafetensorsWriter;
import org.wegeft.tensor.Storage;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorInfo;

class VitLoadingTest {
    /** Copies a fixture folder's config and its tensors (as float arrays), letting {@code edit} change them. */
    private static Path rewrite(String fixture, Path dir, Consumer<Map<String, float[][]>> edit) throws IOException {
        Path src = Fixtures.path(fixture);
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        Map<String, float[][]> t = new LinkedHashMap<>(); // name → {data, shape as floats}
        try (SafetensorsFile f = SafetensorsFile.open(src.resolve("model.safetensors"))) {
            for (TensorInfo info : f.tensors()) {
                try (Storage s = f.storage(info.name()); Tensor x = Tensor.wrap(s, info.shape())) {
                    float[] shape = new float[info.shape().length];
                    for (int i = 0; i < shape.length; i++) {
                        shape[i] = info.shape()[i];
                    }
                    t.put(info.name(), new float[][] {x.toFloatArray(), shape});
                }
            }
        }
        edit.accept(t);
        List<Storage> open = new ArrayList<>();
        try {
            SafetensorsWriter w = new SafetensorsWriter();
            t.forEach((name, v) -> {
                long[] shape = new long[v[1].length];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = (long) v[1][i];
                }
                Storage s = Storage.ofFloats(v[0]);
                open.add(s);
                w.add(name, DType.F32, shape, s);
            });
            w.write(dir.resolve("model.safetensors"));
        } finally {
            open.forEach(Storage::close);
        }
        return dir;
    }

    @Test
    void strictLoadingNamesMissingUnexpectedAndMisShapedKeys(@TempDir Path dir) throws IOException {
        rewrite("vit_timm", dir, t -> {
            t.remove("blocks.1.mlp.fc2.bias");
            t.put("blocks.1.extra.weight", new float[][] {new float[4], {4}});
            t.put("head.bias", new float[][] {new float[4], {4}});
        });
        StateDictException e = assertThrows(StateDictException.class, () -> VisionTransformer.fromPretrained(dir));
        assertEquals(List.of("blocks.1.mlp.fc2.bias"), e.missing());
        assertEquals(List.of("blocks.1.extra.weight"), e.unexpected());
        assertEquals(1, e.misShaped().size());
        assertTrue(e.misShaped().get(0).startsWith("head.bias (expected [5], got [4])"), e.misShaped().toString());
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }

    @Test
    void nonStrictLoadingSkipsMissingAndUnexpectedButNotMisShaped(@TempDir Path dir) throws IOException {
        rewrite("vit_timm", dir, t -> {
            t.remove("blocks.1.mlp.fc2.bias");
            t.put("blocks.1.extra.weight", new float[][] {new float[4], {4}});
        });
        VitConfig cfg = VitConfig.read(dir);
        VisionTransformer m = VisionTransformer.fromPretrained(dir, cfg, false);
        assertEquals(cfg, m.config());
        Path bad = Files.createDirectory(dir.resolve("bad"));
        rewrite("vit_timm", bad, t -> t.put("head.bias", new float[][] {new float[4], {4}}));
        assertThrows(StateDictException.class, () -> VisionTransformer.fromPretrained(bad, cfg, false));
    }

    @Test
    void huggingFaceKeysTheMapDoesNotCoverAreReportedByTheirOwnNames(@TempDir Path dir) throws IOException {
        rewrite("vit_hf", dir, t -> t.remove("vit.encoder.layer.1.attention.attention.key.bias"));
        StateDictException e = assertThrows(StateDictException.class, () -> VisionTransformer.fromPretrained(dir));
        assertEquals(List.of("blocks.1.attn.qkv.bias"), e.missing());
        assertEquals(List.of("vit.encoder.layer.1.attention.attention.query.bias",
                "vit.encoder.layer.1.attention.attention.value.bias"), e.unexpected());
        assertTrue(e.getMessage().contains("Hugging Face ViTForImageClassification"), e.getMessage());
    }

    @Test
    void saveThenLoadRoundTripsBitExactly(@TempDir Path dir) throws IOException {
        VitConfig cfg = VitConfig.of(16, 4, 24, 2, 4, 3).withGlobalPool("avg", false).withDropPathRate(0.1);
        VisionTransformer m = new VisionTransformer(cfg, 11);
        m.save(dir);
        assertTrue(Files.isRegularFile(dir.resolve("model.safetensors")));
        VisionTransformer back = VisionTransformer.fromPretrained(dir);
        assertEquals(cfg, back.config());
        Map<String, Tensor> a = m.stateDict();
        Map<String, Tensor> b = back.stateDict();
        assertEquals(a.keySet(), b.keySet());
        a.forEach((k, v) -> assertArrayEquals(v.toFloatArray(), b.get(k).toFloatArray(), k));
        try (var files = Files.list(dir)) { // no temporaries left behind
            assertEquals(List.of("config.json", "model.safetensors"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void shardedFolderLoadsLikeOneFile(@TempDir Path dir) throws IOException {
        VisionTransformer single = VisionTransformer.fromPretrained(Fixtures.path("vit_timm"));
        Files.copy(Fixtures.path("vit_timm").resolve("config.json"), dir.resolve("config.json"));
        List<Storage> open = new ArrayList<>();
        try {
            SafetensorsWriter w = new SafetensorsWriter();
            single.stateDict().forEach((k, v) -> {
                Storage s = Storage.ofFloats(v.toFloatArray());
                open.add(s);
                w.add(k, DType.F32, v.shape(), s);
            });
            assertTrue(w.writeSharded(dir, 20_000).size() > 1);
        } finally {
            open.forEach(Storage::close);
        }
        VisionTransformer sharded = VisionTransformer.fromPretrained(dir);
        single.eval();
        sharded.eval();
        try (var g = Grad.disabled(); Tensor x = Tensor.randn(1, 2, 3, 16, 16); Tensor a = single.forward(x);
             Tensor b = sharded.forward(x)) {
            assertArrayEquals(a.toFloatArray(), b.toFloatArray());
        }
    }
}
