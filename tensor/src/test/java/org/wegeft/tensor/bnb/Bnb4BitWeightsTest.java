package org.wegeft.tensor.bnb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.wegeft.kernels.DType;
import org.wegeft.tensor.ShardedSafetensors;
import org.wegeft.tensor.TensorInfo;
import org.wegeft.tensor.testing.TensorFixtures;

/** Weights of tools/fixtures/make_bnb_fixtures.py's bnb/blocks.safetensors read and dequantized as bitsandbytes does. */
class Bnb4BitWeightsTest {
    private static final String SCRIPT = "/usr/bin/python3 tools/fixtures/make_bnb_fixtures.py";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static Path blocks() {
        return TensorFixtures.path(Bnb4BitWeightsTest.class, "bnb/blocks.safetensors", SCRIPT);
    }

    private static float[] expected(ShardedSafetensors st, String name) {
        byte[] b = st.readBytes(name + ".expected");
        float[] out = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    @Test
    void dequantizedWeightsEqualTheReferenceBitForBit() throws IOException {
        JsonNode listing = JSON.readTree(TensorFixtures.path(getClass(), "bnb/blocks.json", SCRIPT).toFile());
        try (ShardedSafetensors st = ShardedSafetensors.open(blocks())) {
            Bnb4BitWeights w = Bnb4BitWeights.of(st, DType.F32);
            assertEquals(listing.size(), w.quantizedWeights().size());
            for (JsonNode c : listing) {
                String name = c.get("name").asText();
                Nf4Blocks b = w.read(name);
                assertArrayEquals(JSON.convertValue(c.get("shape"), long[].class), b.shape(), name);
                assertEquals(c.get("dtype").asText().equals("bfloat16") ? DType.BF16 : DType.F32, b.roundTo(), name);
                assertEquals(64, b.blockSize(), name);
                float[] ours = b.dequantize();
                float[] ref = expected(st, name.substring(0, name.length() - ".weight".length()));
                assertEquals(ref.length, ours.length, name);
                for (int i = 0; i < ref.length; i++) {
                    if (Float.floatToRawIntBits(ref[i]) != Float.floatToRawIntBits(ours[i])) {
                        throw new AssertionError(name + "[" + i + "]: " + ours[i] + " != " + ref[i]);
                    }
                }
            }
        }
    }

    @Test
    void firstElementIsTheHighNibbleAndMidpointsTakeTheLowerCode() {
        try (ShardedSafetensors st = ShardedSafetensors.open(blocks())) {
            Nf4Blocks b = Bnb4BitWeights.of(st, DType.F32).read("nf4_ties.weight");
            // row 0: 2.0 (code 15), then NF4 midpoints 1..14 between codes k and k + 1, each scaled by the absmax 2
            assertEquals(15, b.code(0));
            assertEquals(b.packed()[0] >>> 4 & 0xF, b.code(0));
            for (int k = 1; k < 15; k++) {
                assertEquals(k, b.code(k), "midpoint " + k);
            }
        }
    }

    @Test
    void doubleQuantIsUndoneWithTheNestedScalesAndOffset() {
        try (ShardedSafetensors st = ShardedSafetensors.open(blocks())) {
            Nf4Blocks b = Bnb4BitWeights.of(st, DType.F32).read("nf4_dq.weight");
            assertEquals((130 * 150 + 63) / 64, b.absmax().length);   // 305 blocks: two nested blocks of 256
            float[] ref = expected(st, "nf4_dq");
            for (int blk = 0; blk < b.absmax().length; blk++) {
                float max = 0;
                for (int i = blk * 64; i < Math.min(ref.length, (blk + 1) * 64); i++) {
                    max = Math.max(max, Math.abs(ref[i]));
                }
                assertEquals(b.absmax()[blk], max, 0.02 * max + 1e-3, "block " + blk);   // code ±1 is absmax
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"BF16", "F16"})
    void computeDtypeRoundsFloat32States(String dtype) {
        try (ShardedSafetensors st = ShardedSafetensors.open(blocks())) {
            Nf4Blocks b = Bnb4BitWeights.of(st, DType.valueOf(dtype)).read("nf4_ties.weight");
            assertEquals(DType.valueOf(dtype), b.roundTo());
        }
    }

    // ------------------------------------------------------------------ refusals

    /** A copy of the nf4_dq group of the fixture (raw entries), edited, written to a file and opened. */
    private Path edited(Consumer<Map<String, Entry>> edit) throws IOException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        try (ShardedSafetensors st = ShardedSafetensors.open(blocks())) {
            for (TensorInfo t : st.tensors()) {
                if (t.name().startsWith("nf4_dq.weight")) {
                    entries.put(t.name(), new Entry(t.dtype(), t.shape(), st.readBytes(t.name())));
                }
            }
        }
        edit.accept(entries);
        Path file = tmp.resolve("model.safetensors");
        write(file, entries);
        return file;
    }

    private record Entry(String dtype, long[] shape, byte[] data) { }

    private static void write(Path file, Map<String, Entry> entries) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        long offset = 0;
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", e.getValue().dtype());
            t.set("shape", JSON.valueToTree(e.getValue().shape()));
            t.set("data_offsets", JSON.valueToTree(new long[] {offset, offset + e.getValue().data().length}));
            offset += e.getValue().data().length;
        }
        byte[] h = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
            out.write(h);
            for (Entry e : entries.values()) {
                out.write(e.data());
            }
        }
    }

    private static BnbCheckpointException refused(Path file, String key, String words) {
        BnbCheckpointException e = assertThrows(BnbCheckpointException.class, () -> {
            try (ShardedSafetensors st = ShardedSafetensors.open(file)) {
                Bnb4BitWeights w = Bnb4BitWeights.of(st, DType.BF16);
                w.quantizedWeights().forEach(w::read);
            }
        });
        assertEquals(key, e.key(), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains(words), e.getMessage());
        return e;
    }

    @Test
    void editedCopyStillReads() throws IOException {
        Path file = edited(m -> { });
        try (ShardedSafetensors st = ShardedSafetensors.open(file)) {
            assertEquals(305, Bnb4BitWeights.of(st, DType.BF16).read("nf4_dq.weight").absmax().length);
        }
    }

    @Test
    void aWeightWhoseQuantStateLiesInAnotherShardReadsTheSame() throws IOException {
        Map<String, Entry> first = new LinkedHashMap<>();
        Map<String, Entry> second = new LinkedHashMap<>();
        edited(m -> m.forEach((k, v) -> (k.endsWith(".weight") || k.endsWith(".absmax") ? first : second).put(k, v)));
        write(tmp.resolve("model-00001-of-00002.safetensors"), first);
        write(tmp.resolve("model-00002-of-00002.safetensors"), second);
        var map = JSON.createObjectNode();
        first.keySet().forEach(k -> map.put(k, "model-00001-of-00002.safetensors"));
        second.keySet().forEach(k -> map.put(k, "model-00002-of-00002.safetensors"));
        Path index = tmp.resolve(ShardedSafetensors.INDEX);
        Files.writeString(index, JSON.createObjectNode().set("weight_map", map).toString());
        try (ShardedSafetensors sharded = ShardedSafetensors.open(index);
             ShardedSafetensors single = ShardedSafetensors.open(blocks())) {
            assertEquals(2, sharded.shards().size());
            assertEquals(Bnb4BitWeights.of(single, DType.BF16).read("nf4_dq.weight"),
                    Bnb4BitWeights.of(sharded, DType.BF16).read("nf4_dq.weight"));
        }
    }

    @Test
    void missingQuantStateIsRefused() throws IOException {
        Path file = edited(m -> m.remove("nf4_dq.weight.quant_state.bitsandbytes__nf4"));
        refused(file, "nf4_dq.weight.quant_state.bitsandbytes__nf4", "no quant_state");
    }

    @Test
    void unknownQuantTypeIsRefused() throws IOException {
        Path file = edited(m -> m.put("nf4_dq.weight.quant_state.bitsandbytes__int4",
                m.remove("nf4_dq.weight.quant_state.bitsandbytes__nf4")));
        refused(file, "nf4_dq.weight.quant_state.bitsandbytes__int4", "unknown quant_type 'int4'");
    }

    @Test
    void wrongAbsmaxCountIsRefused() throws IOException {
        Path file = edited(m -> {
            Entry a = m.get("nf4_dq.weight.absmax");
            m.put("nf4_dq.weight.absmax", new Entry("U8", new long[] {300}, java.util.Arrays.copyOf(a.data(), 300)));
        });
        refused(file, "nf4_dq.weight.absmax", "expected U8 with 305 elements");
    }

    @Test
    void wrongPackedSizeIsRefused() throws IOException {
        Path file = edited(m -> {
            Entry w = m.get("nf4_dq.weight");
            m.put("nf4_dq.weight", new Entry("U8", new long[] {9000, 1}, java.util.Arrays.copyOf(w.data(), 9000)));
        });
        refused(file, "nf4_dq.weight", "expected U8 with 9750 elements");
    }

    @Test
    void foreignCodeTableIsRefused() throws IOException {
        Path file = edited(m -> {
            byte[] table = m.get("nf4_dq.weight.quant_map").data().clone();
            table[4] ^= 1;
            m.put("nf4_dq.weight.quant_map", new Entry("F32", new long[] {16}, table));
        });
        refused(file, "nf4_dq.weight.quant_map", "is not bitsandbytes' nf4 table");
    }

    @Test
    void badStateJsonIsRefused() throws IOException {
        byte[] truncated = "{\"q\"".getBytes(StandardCharsets.UTF_8);
        Path file = edited(m -> m.put("nf4_dq.weight.quant_state.bitsandbytes__nf4", new Entry("U8",
                new long[] {truncated.length}, truncated)));
        refused(file, "nf4_dq.weight.quant_state.bitsandbytes__nf4", "valid JSON");
    }

    // ------------------------------------------------------------------ config

    private Path config(String quantizationConfig) throws IOException {
        Path file = tmp.resolve("config.json");
        Files.writeString(file, "{\"model_type\": \"llama\"" + (quantizationConfig.isEmpty() ? ""
                : ", \"quantization_config\": " + quantizationConfig) + "}");
        return file;
    }

    @Test
    void configReadsTransformersFields() throws IOException {
        BnbQuantization q = BnbQuantization.read(config("{\"quant_method\": \"bitsandbytes\", \"load_in_4bit\": true,"
                + " \"load_in_8bit\": false, \"bnb_4bit_quant_type\": \"nf4\", \"bnb_4bit_use_double_quant\": true,"
                + " \"bnb_4bit_compute_dtype\": \"bfloat16\", \"bnb_4bit_quant_storage\": \"uint8\"}"));
        assertEquals(new BnbQuantization("nf4", true, DType.BF16), q);
        assertNull(BnbQuantization.read(config("")));
    }

    @Test
    void configRefusals() throws IOException {
        String[][] cases = {
            {"{\"load_in_8bit\": true, \"load_in_4bit\": false}", "quantization_config.load_in_8bit", "8-bit"},
            {"{\"quant_method\": \"gptq\"}", "quantization_config.quant_method", "'gptq' is not supported"},
            {"{\"load_in_4bit\": true, \"bnb_4bit_quant_type\": \"int4\"}", "quantization_config.bnb_4bit_quant_type",
                "not nf4 or fp4"},
            {"{\"load_in_4bit\": true, \"bnb_4bit_quant_storage\": \"bfloat16\"}",
                "quantization_config.bnb_4bit_quant_storage", "only uint8"},
            {"{\"load_in_4bit\": true, \"bnb_4bit_compute_dtype\": \"float64\"}",
                "quantization_config.bnb_4bit_compute_dtype", "float64"},
        };
        for (String[] c : cases) {
            Path file = config(c[0]);
            BnbCheckpointException e = assertThrows(BnbCheckpointException.class, () -> BnbQuantization.read(file));
            assertEquals(c[1], e.key(), e.getMessage());
            assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains(c[2]), e.getMessage());
        }
    }
}
