package org.wegeft.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.io.Leftovers;
import org.wegeft.llm.CausalLM;
import org.wegeft.peft.PeftModel;
import org.wegeft.tensor.SafetensorsFile;
import org.wegeft.tensor.SafetensorsWriter;
import org.wegeft.tensor.ShardedSafetensors;
import org.wegeft.tensor.Storage;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorInfo;

/**
 * {@code wegeft merge} against PyTorch (fixtures by tools/fixtures/make_merge_fixtures.py): a tiny LLaMA folder
 * written the Hugging Face way (two F32 shards + index, and a single-file BF16 variant) merged with a PEFT-format
 * WeGeFT adapter (targets q,k,v,up,down tied across layers), a LoRA adapter (q,v) and a LoRA adapter with the fields
 * users bring (all-linear, exclude_modules, rank_pattern, alpha_pattern, rsLoRA).
 */
class MergeCommandTest {
    private static final JsonMapper JSON = new JsonMapper();

    @TempDir
    Path tmp;

    static Path fixture(String name) {
        try {
            return Path.of(Objects.requireNonNull(MergeCommandTest.class.getResource("/merge/" + name)).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static CliRun.Result merge(Path model, Path adapter, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("merge", "--model", model.toString(), "--adapter",
                adapter.toString(), "--out", out.toString()));
        args.addAll(List.of(extra));
        return CliRun.run(args.toArray(String[]::new));
    }

    /** max |ours − torch| / max |torch| over one tensor. */
    static double maxRelativeError(float[] ours, float[] torch) {
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < ours.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs((double) ours[i] - torch[i]));
            maxRef = Math.max(maxRef, Math.abs(torch[i]));
        }
        return maxDiff / maxRef;
    }

    static float[] floats(SafetensorsFile f, String name) {
        try (Storage s = f.storage(name); Tensor t = Tensor.wrap(s, f.info(name).shape())) {
            return t.toFloatArray();
        }
    }

    /**
     * An adapter of {@code model} and the weights PyTorch merged from it.
     * @param tolerance the largest relative error allowed per tensor
     */
    record Case(String model, String adapter, String expected, int targets, double tolerance) {
        Case(String adapter, String expected, int targets, double tolerance) {
            this("llama_f32", adapter, expected, targets, tolerance);
        }

        @Override
        public String toString() {
            return adapter;
        }
    }

    /** DoRA, VeRA and (IA)³ in PEFT's layout by tools/fixtures/make_variant_fixtures.py; the rest by make_merge. */
    static Stream<Case> float32Cases() {
        return Stream.of(new Case("adapter_wegeft", "expected_wegeft.safetensors", 10, 1e-6),
                new Case("adapter_lora", "expected_lora.safetensors", 4, 1e-6),
                new Case("adapter_lora_patterns", "expected_lora_patterns.safetensors", 12, 1e-6),
                new Case("adapter_dora", "expected_dora.safetensors", 6, 1e-5),
                new Case("adapter_vera", "expected_vera.safetensors", 6, 1e-5),
                new Case("adapter_vera_noproj", "expected_vera_noproj.safetensors", 6, 1e-5),
                new Case("llama_bias_f32", "adapter_ia3", "expected_ia3.safetensors", 8, 1e-5));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("float32Cases")
    void mergedTargetsEqualTorchAndEverythingElseIsCopied(Case c) throws IOException {
        Path model = fixture(c.model());
        Path out = tmp.resolve("merged");
        CliRun.Result r = merge(model, fixture(c.adapter()), out);
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("targets merged: " + c.targets() + ","), r.out());
        boolean sharded = Files.exists(model.resolve(ShardedSafetensors.INDEX));
        assertEquals(sharded ? 2 : 1, r.errLines().size(), "one progress line per shard: " + r.err());
        assertTrue(r.errLines().get(0).startsWith(sharded ? "wegeft merge: [1/2] model-00001-of-00002.safetensors"
                : "wegeft merge: [1/1] model.safetensors"), r.err());

        try (ShardedSafetensors in = ShardedSafetensors.open(model); ShardedSafetensors got = ShardedSafetensors.open(out);
                SafetensorsFile expected = SafetensorsFile.open(fixture(c.expected()))) {
            assertEquals(c.targets(), expected.tensors().stream().filter(t -> t.name().endsWith(".weight")).count());
            double worst = 0;
            int identical = 0;
            for (TensorInfo t : in.tensors()) {
                TensorInfo o = got.info(t.name());
                assertEquals(t.dtype(), o.dtype(), t.name());
                assertArrayEquals(t.shape(), o.shape(), t.name());
                if (expected.contains(t.name())) {
                    double rel = maxRelativeError(floats(got.shardOf(t.name()), t.name()),
                            floats(expected, t.name()));
                    assertTrue(rel <= c.tolerance(), t.name() + ": max relative error " + rel);
                    worst = Math.max(worst, rel);
                } else {
                    assertArrayEquals(in.readBytes(t.name()), got.readBytes(t.name()), t.name() + " copied");
                    identical++;
                }
            }
            System.out.printf(Locale.ROOT, "merge %s: %d targets, max relative error %.3g; %d tensors byte-identical%n",
                    c.adapter(), c.targets(), worst, identical);
            for (int i = 0; i < in.shards().size(); i++) { // same shard files, header order and metadata
                SafetensorsFile a = in.shards().get(i);
                SafetensorsFile b = got.shards().get(i);
                assertEquals(a.path().getFileName(), b.path().getFileName());
                assertEquals(a.metadata(), b.metadata());
                assertEquals(a.tensors(), b.tensors(), "names, dtypes, shapes and byte ranges");
            }
        }
        List<String> copied = sharded ? List.of("config.json", "generation_config.json", ShardedSafetensors.INDEX)
                : List.of("config.json", "generation_config.json");
        for (String f : copied) {
            assertArrayEquals(Files.readAllBytes(model.resolve(f)), Files.readAllBytes(out.resolve(f)), f);
        }
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(copied.size() + (sharded ? 2 : 1), s.count(), "the shards and the other files");
        }
        assertNoTemporaryFolders();
    }

    @Test
    void bf16ModelMergesToTorchsRoundedResult() throws IOException {
        Path model = fixture("llama_bf16");
        Path out = tmp.resolve("merged");
        CliRun.Result r = merge(model, fixture("adapter_wegeft"), out);
        assertEquals(0, r.status(), r.err());
        int differing = 0;
        long elements = 0;
        try (SafetensorsFile in = SafetensorsFile.open(model.resolve(ShardedSafetensors.SINGLE));
                SafetensorsFile got = SafetensorsFile.open(out.resolve(ShardedSafetensors.SINGLE));
                SafetensorsFile expected = SafetensorsFile.open(fixture("expected_wegeft_bf16.safetensors"))) {
            assertEquals(in.tensors(), got.tensors());
            for (TensorInfo t : in.tensors()) {
                if (!expected.contains(t.name())) {
                    assertArrayEquals(in.readBytes(t.name()), got.readBytes(t.name()), t.name());
                    continue;
                }
                assertEquals("BF16", got.info(t.name()).dtype());
                short[] ours = shorts(got.readBytes(t.name()));
                short[] torch = shorts(expected.readBytes(t.name()));
                for (int i = 0; i < ours.length; i++) {
                    int ulps = Math.abs(ours[i] - torch[i]); // same sign: adjacent bf16 values differ by 1 in bits
                    assertTrue(ulps <= 1, t.name() + "[" + i + "]: " + ulps + " bf16 ulps from torch");
                    differing += ulps == 0 ? 0 : 1;
                }
                elements += ours.length;
            }
        }
        System.out.printf(Locale.ROOT, "merge bf16: %d of %d target elements differ from torch by 1 ulp%n",
                differing, elements);
        assertTrue(elements > 0);
    }

    static short[] shorts(byte[] bytes) {
        short[] out = new short[bytes.length / 2];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out);
        return out;
    }

    @Test
    void dtypeFlagConvertsFloatTensorsAndRewritesTheIndexTotal() throws IOException {
        Path out = tmp.resolve("merged");
        CliRun.Result r = merge(fixture("llama_f32"), fixture("adapter_lora"), out, "--dtype", "bf16");
        assertEquals(0, r.status(), r.err());
        try (ShardedSafetensors in = ShardedSafetensors.open(fixture("llama_f32"));
                ShardedSafetensors got = ShardedSafetensors.open(out)) {
            got.tensors().forEach(t -> assertEquals("BF16", t.dtype(), t.name()));
            long total = got.tensors().stream().mapToLong(TensorInfo::bytes).sum();
            JsonNode index = JSON.readTree(out.resolve(ShardedSafetensors.INDEX).toFile());
            assertEquals(total, index.get("metadata").get("total_size").asLong());
            assertEquals(JSON.readTree(fixture("llama_f32").resolve(ShardedSafetensors.INDEX).toFile())
                    .get("weight_map"), index.get("weight_map"));
            String plain = "model.norm.weight";
            float[] a = floats(in.shardOf(plain), plain);
            float[] b = floats(got.shardOf(plain), plain);
            assertTrue(maxRelativeError(b, a) < 1.0 / 256, "bf16 rounding of a copied tensor");
        }
    }

    @Test
    void adapterTensorNamedLikeAModelTensorReplacesIt() throws IOException {
        Path adapter = copyAdapter("adapter_lora");
        float[] norm = new float[32];
        for (int i = 0; i < norm.length; i++) {
            norm[i] = 0.25f * i;
        }
        rewriteAdapter(adapter, null, null, "base_model.model.model.norm.weight", norm, new long[] {32});
        Path out = tmp.resolve("merged");
        CliRun.Result r = merge(fixture("llama_f32"), adapter, out);
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("tensors replaced from the adapter: 1"), r.out());
        try (ShardedSafetensors got = ShardedSafetensors.open(out)) {
            assertArrayEquals(norm, floats(got.shardOf("model.norm.weight"), "model.norm.weight"));
        }
    }

    @Test
    void forceReplacesANonEmptyOut() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("merged"));
        Files.writeString(out.resolve("stale.txt"), "old");
        CliRun.Result r = merge(fixture("llama_f32"), fixture("adapter_lora"), out, "--force");
        assertEquals(0, r.status(), r.err());
        assertFalse(Files.exists(out.resolve("stale.txt")));
        assertTrue(Files.isRegularFile(out.resolve(ShardedSafetensors.INDEX)));
        assertNoTemporaryFolders();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("float32Cases")
    void loadedIntoTheModelAndMergedInMemoryEqualsTorch(Case c) {
        try (CausalLM lm = CausalLM.fromPretrained(fixture("llama_f32"));
             SafetensorsFile expected = SafetensorsFile.open(fixture(c.expected()))) {
            PeftModel pm = PeftModel.fromPretrained(lm, fixture(c.adapter()));
            assertEquals(c.targets(), pm.adapterLayers().size());
            pm.merge();
            for (var e : pm.adapterLayers().entrySet()) {
                String name = e.getKey() + ".weight";
                double rel = maxRelativeError(e.getValue().baseLayer().weight().toFloatArray(), floats(expected, name));
                assertTrue(rel <= 1e-6, name + ": max relative error " + rel);
            }
        }
    }

    // ------------------------------------------------------------------ bad input: status 2, one line, no --out

    interface Breaker {
        void apply(Path adapter, Path out) throws IOException;
    }

    static Arguments bad(String name, String adapter, Breaker breaker, String... fragments) {
        return Arguments.of(name, adapter, breaker, List.of(fragments));
    }

    static Stream<Arguments> badInputs() {
        String q = "base_model.model.model.layers.0.self_attn.q_proj.";
        return Stream.of(
                bad("unknown peft_type", "adapter_wegeft", (a, o) -> editConfig(a, "\"WEGEFT\"", "\"GEFT\""),
                        "adapter_config.json", "peft_type", "GEFT"),
                bad("missing tensor", "adapter_wegeft", (a, o) -> rewriteAdapter(a, q + "wegeft_psi.weight", null,
                        null, null, null), "adapter_model.safetensors", "missing", q + "wegeft_psi.weight"),
                bad("mis-shaped tensor", "adapter_wegeft", (a, o) -> rewriteAdapter(a, null, q + "wegeft_phi.weight",
                        null, null, null), "adapter_model.safetensors", "mis-shaped", q + "wegeft_phi.weight",
                        "[4, 16]"),
                bad("unexpected tensor", "adapter_lora", (a, o) -> rewriteAdapter(a, null, null,
                        "base_model.model.model.layers.0.mlp.up_proj.lora_A.weight", new float[4 * 32],
                        new long[] {4, 32}), "adapter_model.safetensors", "unexpected", "up_proj.lora_A.weight"),
                bad("target matching nothing", "adapter_lora", (a, o) -> {
                    editConfig(a, "\"q_proj\"", "\"x_proj\"");
                    editConfig(a, "\"v_proj\"", "\"w_proj\"");
                }, "adapter_config.json", "target_modules", "matches no Linear"),
                bad("tie group with unequal d_in", "adapter_wegeft", (a, o) -> editConfig(a,
                        "\".*\\\\.q_proj\"", "\".*\\\\.q_proj\", \".*\\\\.down_proj\""), "adapter_config.json",
                        "tied_modules", "unequal d_in", "d_in=32", "d_in=64"),
                bad("a LoRA bias asked for", "adapter_lora_patterns", (a, o) -> editConfig(a, "\"use_dora\": false",
                        "\"use_dora\": false, \"lora_bias\": true"), "adapter_config.json", "lora_bias",
                        "not supported"),
                bad("DoRA without its magnitudes", "adapter_lora_patterns", (a, o) -> editConfig(a,
                        "\"use_dora\": false", "\"use_dora\": true"), "adapter_model.safetensors",
                        "lora_magnitude_vector"),
                bad("(IA)³ feed-forward modules outside the targets", "adapter_ia3", (a, o) -> editConfig(a,
                        "\"down_proj\"\n  ]", "\"gate_proj\"\n  ]"), "adapter_config.json", "feedforward_modules",
                        "subset"),
                bad("VeRA projections missing", "adapter_vera_noproj", (a, o) -> editConfig(a,
                        "\"save_projection\": false", "\"save_projection\": true"), "adapter_model.safetensors",
                        "base_model.vera_A"),
                bad("an initialisation not implemented", "adapter_lora_patterns", (a, o) -> editConfig(a,
                        "\"init_lora_weights\": true", "\"init_lora_weights\": \"pissa\""), "adapter_config.json",
                        "init_lora_weights", "pissa"),
                bad("--out exists and is not empty", "adapter_lora", (a, o) -> Files.writeString(
                        Files.createDirectories(o).resolve("keep.txt"), "mine"), "output folder", "not empty"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void badInputExitsTwoWithOneLineAndWritesNothing(String name, String adapterFixture, Breaker breaker,
            List<String> fragments) throws IOException {
        Path adapter = copyAdapter(adapterFixture);
        Path out = tmp.resolve("out").resolve("merged");
        breaker.apply(adapter, out);
        boolean existed = Files.exists(out);
        CliRun.Result r = merge(fixture("llama_f32"), adapter, out);
        assertEquals(2, r.status(), r.out() + r.err());
        assertEquals(1, r.errLines().size(), r.err());
        String line = r.errLines().get(0);
        assertTrue(line.startsWith("wegeft merge: "), line);
        for (String f : fragments) {
            assertTrue(line.contains(f), "'" + f + "' not in: " + line);
        }
        assertEquals("", r.out());
        if (existed) {
            try (Stream<Path> s = Files.list(out)) {
                assertEquals(List.of(out.resolve("keep.txt")), s.toList(), "--out left as it was");
            }
        } else {
            assertFalse(Files.exists(out), "--out must not be created");
            assertFalse(Files.exists(out.getParent()) && Files.list(out.getParent()).findAny().isPresent(),
                    "nothing written beside --out");
        }
        System.out.println("merge " + name + " -> " + line);
    }

    private Path copyAdapter(String name) throws IOException {
        Path dst = Files.createDirectories(tmp.resolve("adapter"));
        for (String f : List.of("adapter_config.json", "adapter_model.safetensors")) {
            Files.copy(fixture(name).resolve(f), dst.resolve(f));
        }
        return dst;
    }

    private static Path editConfig(Path adapter, String from, String to) throws IOException {
        Path f = adapter.resolve("adapter_config.json");
        String text = Files.readString(f);
        assertTrue(text.contains(from), from + " not in " + text);
        Files.writeString(f, text.replaceFirst(java.util.regex.Pattern.quote(from),
                java.util.regex.Matcher.quoteReplacement(to)));
        return f;
    }

    /** Rewrites the adapter file: drops {@code drop}, gives {@code reshape} shape (4, 16), adds {@code add}. */
    private static void rewriteAdapter(Path adapter, @Nullable String drop, @Nullable String reshape,
            @Nullable String add, float @Nullable [] addValues, long @Nullable [] addShape) throws IOException {
        Path f = adapter.resolve("adapter_model.safetensors");
        byte[] original = Files.readAllBytes(f);
        Path src = adapter.resolve("original.safetensors");
        Files.write(src, original);
        List<Storage> open = new ArrayList<>();
        try (SafetensorsFile in = SafetensorsFile.open(src)) {
            SafetensorsWriter w = new SafetensorsWriter().metadata(in.metadata());
            for (TensorInfo t : in.tensors()) {
                if (t.name().equals(drop)) {
                    continue;
                }
                Storage s = t.name().equals(reshape) ? Storage.ofFloats(new float[4 * 16]) : in.storage(t.name());
                open.add(s);
                w.add(t.name(), DType.F32, t.name().equals(reshape) ? new long[] {4, 16} : t.shape(), s);
            }
            if (add != null && addValues != null && addShape != null) {
                Storage s = Storage.ofFloats(addValues);
                open.add(s);
                w.add(add, DType.F32, addShape, s);
            }
            w.write(f);
        } finally {
            open.forEach(Storage::close);
        }
        Files.delete(src);
    }

    private void assertNoTemporaryFolders() throws IOException {
        try (Stream<Path> s = Files.walk(tmp)) {
            List<Path> left = s.filter(p -> Leftovers.isLeftoverName(p.getFileName().toString())
                    || p.getFileName().toString().endsWith(".wegeft-lock")).toList();
            assertEquals(List.of(), left);
        }
    }
}
