package org.wegeft.tensor.bnb;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.DType;
import org.wegeft.tensor.ShardedSafetensors;
import org.wegeft.tensor.TensorInfo;

/**
 * The 4-bit quantized weights of a checkpoint in the layout bitsandbytes' {@code Linear4bit} saves (transformers'
 * {@code load_in_4bit} models). A quantized {@code X.weight} comes with:
 * <pre>
 *   X.weight                                  U8 ((n + 1) / 2, 1)  packed codes, first element in the high nibble
 *   X.weight.absmax                           F32 (blocks), or U8 (blocks) with double quant
 *   X.weight.quant_map                        F32 (16)             the code table
 *   X.weight.nested_absmax                    F32 (ceil(blocks / nested_blocksize))   double quant only
 *   X.weight.nested_quant_map                 F32 (256)            the 8-bit dynamic map, double quant only
 *   X.weight.quant_state.bitsandbytes__nf4    U8 (bytes)           JSON: quant_type, blocksize, dtype, shape,
 *                                                                  [nested_blocksize, nested_dtype, nested_offset]
 * </pre>
 * Every such group is checked when the checkpoint is opened and when a weight is read; problems raise a
 * {@link BnbCheckpointException} naming the shard file and the key.
 */
public final class Bnb4BitWeights {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STATE = ".quant_state.bitsandbytes__";
    private static final List<String> PARTS = List.of(".absmax", ".quant_map", ".nested_absmax", ".nested_quant_map");
    private static final Set<Integer> BLOCK_SIZES = Set.of(32, 64, 128, 256, 512, 1024, 2048, 4096);

    private final ShardedSafetensors st;
    private final DType computeDtype;
    private final Map<String, String> stateKeyOf;

    private Bnb4BitWeights(ShardedSafetensors st, DType computeDtype, Map<String, String> stateKeyOf) {
        this.st = st;
        this.computeDtype = computeDtype;
        this.stateKeyOf = stateKeyOf;
    }

    /**
     * Finds the quantized weights of {@code st} (which the caller keeps open and closes).
     * @param computeDtype what the product runs in ({@code bnb_4bit_compute_dtype}); dequantized values are rounded
     *                     to it after the quant state's own dtype
     * @throws BnbCheckpointException for an unknown quant type, a weight with two quant states, a quant state without
     *                                its weight, or a packed U8 weight or absmax without a quant state
     */
    public static Bnb4BitWeights of(ShardedSafetensors st, DType computeDtype) {
        Map<String, String> stateKeyOf = new LinkedHashMap<>();
        for (TensorInfo t : st.tensors()) {
            int at = t.name().indexOf(STATE);
            if (at < 0) {
                continue;
            }
            String weight = t.name().substring(0, at);
            String type = t.name().substring(at + STATE.length());
            if (!type.equals("nf4") && !type.equals("fp4")) {
                throw new BnbCheckpointException(file(st, t.name()), t.name(), "unknown quant_type '" + type
                        + "': only nf4 and fp4 4-bit weights are supported");
            }
            String other = stateKeyOf.put(weight, t.name());
            if (other != null) {
                throw new BnbCheckpointException(file(st, t.name()), t.name(), "a second quant state for " + weight
                        + " besides " + other);
            }
            if (!st.contains(weight)) {
                throw new BnbCheckpointException(file(st, t.name()), weight, "missing: the checkpoint has its quant"
                        + " state " + t.name() + " but not the packed weight");
            }
        }
        for (TensorInfo t : st.tensors()) {
            String name = t.name();
            boolean packedWeight = t.dtype().equals("U8") && name.endsWith(".weight");
            String owner = packedWeight ? name : ownerOfPart(name);
            if (owner != null && st.contains(owner) && !stateKeyOf.containsKey(owner)) {
                throw new BnbCheckpointException(file(st, name), owner + STATE + "nf4", "missing: " + name
                        + " looks 4-bit quantized but has no quant_state.bitsandbytes__nf4 or __fp4 entry");
            }
        }
        return new Bnb4BitWeights(st, computeDtype, stateKeyOf);
    }

    private static @Nullable String ownerOfPart(String name) {
        for (String part : PARTS) {
            if (name.endsWith(".weight" + part)) {
                return name.substring(0, name.length() - part.length());
            }
        }
        return null;
    }

    /** The keys of the quantized weights ({@code ….weight}), in checkpoint order. */
    public Set<String> quantizedWeights() {
        return Collections.unmodifiableSet(stateKeyOf.keySet());
    }

    public boolean isQuantized(String weightKey) {
        return stateKeyOf.containsKey(weightKey);
    }

    /** Every checkpoint key that belongs to the quantized {@code weightKey}: the weight and its quant state entries. */
    public List<String> keysOf(String weightKey) {
        List<String> keys = new ArrayList<>();
        keys.add(weightKey);
        for (String part : PARTS) {
            if (st.contains(weightKey + part)) {
                keys.add(weightKey + part);
            }
        }
        keys.add(state(weightKey));
        return keys;
    }

    /** The logical shape of the quantized {@code weightKey}, from its quant state alone (no weight data read). */
    public long[] shape(String weightKey) {
        String stateKey = state(weightKey);
        return shape(stateKey, stateJson(stateKey));
    }

    /**
     * Reads and checks one quantized weight; double quantization is undone here as bitsandbytes does it, in float32:
     * {@code absmax[i] = nested_quant_map[q[i]] * nested_absmax[i / nested_blocksize] + nested_offset}.
     * @throws BnbCheckpointException naming the key whose size, dtype or value is wrong
     */
    public Nf4Blocks read(String weightKey) {
        String stateKey = state(weightKey);
        JsonNode s = stateJson(stateKey);
        String type = stateKey.substring(stateKey.lastIndexOf("__") + 2);
        String stated = text(stateKey, s, "quant_type");
        if (!stated.equals(type)) {
            throw bad(stateKey, "quant_type '" + stated + "' does not match the key's __" + type);
        }
        int block = integer(stateKey, s, "blocksize");
        if (!BLOCK_SIZES.contains(block)) {
            throw bad(stateKey, "blocksize " + block + " is not one of " + BLOCK_SIZES);
        }
        DType dtype = BnbQuantization.torchDtype(text(stateKey, s, "dtype"));
        if (dtype == null) {
            throw bad(stateKey, "dtype '" + text(stateKey, s, "dtype") + "' is not bfloat16, float16 or float32");
        }
        long[] shape = shape(stateKey, s);
        long n = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        if (n > Integer.MAX_VALUE - 16) {
            throw bad(stateKey, "shape " + Arrays.toString(shape) + " has too many elements for one weight");
        }
        byte[] packed = bytes(weightKey, "U8", (n + 1) / 2);
        long blocks = (n + block - 1) / block;
        boolean nested = s.has("nested_offset") || st.contains(weightKey + ".nested_absmax");
        float[] absmax = nested ? nestedAbsmax(weightKey, stateKey, s, blocks) : floats(weightKey + ".absmax", blocks);
        float[] table = floats(weightKey + ".quant_map", 16);
        if (!Arrays.equals(table, codeTable(type))) {
            throw bad(weightKey + ".quant_map", "is not bitsandbytes' " + type + " table " + Arrays.toString(
                    codeTable(type)) + " (which bitsandbytes dequantizes with), got " + Arrays.toString(table));
        }
        return new Nf4Blocks(weightKey, shape, packed, absmax, table, block, roundTo(stateKey, dtype));
    }

    private float[] nestedAbsmax(String weightKey, String stateKey, JsonNode s, long blocks) {
        int nestedBlock = integer(stateKey, s, "nested_blocksize");
        if (nestedBlock <= 0) {
            throw bad(stateKey, "nested_blocksize " + nestedBlock + " is not positive");
        }
        if (!text(stateKey, s, "nested_dtype").equals("float32")) {
            throw bad(stateKey, "nested_dtype '" + text(stateKey, s, "nested_dtype") + "' is not float32");
        }
        JsonNode offsetNode = s.get("nested_offset");
        if (offsetNode == null || !offsetNode.isNumber()) {
            throw bad(stateKey, "nested_offset is missing or not a number, but the weight is double-quantized");
        }
        float offset = (float) offsetNode.doubleValue();
        byte[] q = bytes(weightKey + ".absmax", "U8", blocks);
        float[] scales = floats(weightKey + ".nested_absmax", (blocks + nestedBlock - 1) / nestedBlock);
        float[] map = floats(weightKey + ".nested_quant_map", 256);
        float[] absmax = new float[q.length];
        for (int i = 0; i < q.length; i++) {
            float v = map[q[i] & 0xFF] * scales[i / nestedBlock];   // rounded to float32, then the offset added
            absmax[i] = v + offset;
        }
        return absmax;
    }

    /**
     * bitsandbytes rounds to the quant state's dtype, and the layer casts that to the compute dtype: one rounding
     * when either is float32 or both agree.
     */
    private DType roundTo(String stateKey, DType stateDtype) {
        if (stateDtype == DType.F32 || stateDtype == computeDtype) {
            return computeDtype;
        }
        if (computeDtype == DType.F32) {
            return stateDtype;
        }
        throw bad(stateKey, "dtype " + stateDtype + " with compute dtype " + computeDtype
                + " would round twice; not supported");
    }

    /** bitsandbytes' get_4bit_type: the 16 values in code order, divided by their largest magnitude in float32. */
    static float[] codeTable(String type) {
        double[] values = type.equals("nf4")
                ? new double[] {-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
                    -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534,
                    0.16093020141124725, 0.24611230194568634, 0.33791524171829224, 0.44070982933044434,
                    0.5626170039176941, 0.7229568362236023, 1.0}
                : new double[] {0, 0.0625, 8, 12, 4, 6, 2, 3, 0, -0.0625, -8, -12, -4, -6, -2, -3};   // code 8: Python's
                                                                                      // int -0, a plus zero
        float max = 0;
        for (double v : values) {
            max = Math.max(max, Math.abs((float) v));
        }
        float[] table = new float[16];
        for (int i = 0; i < 16; i++) {
            table[i] = (float) values[i] / max;   // decimal -> double -> float, as torch.tensor(list) reads them
        }
        return table;
    }

    private String state(String weightKey) {
        String key = stateKeyOf.get(weightKey);
        if (key == null) {
            throw new BnbCheckpointException(st.source().toString(), weightKey, "is not a 4-bit quantized weight");
        }
        return key;
    }

    private JsonNode stateJson(String stateKey) {
        byte[] raw = bytes(stateKey, "U8", -1);
        try {
            JsonNode s = JSON.readTree(new String(raw, StandardCharsets.UTF_8));
            if (s == null || !s.isObject()) {
                throw bad(stateKey, "does not hold a JSON object");
            }
            return s;
        } catch (JacksonException e) {
            throw bad(stateKey, "does not hold valid JSON: " + e.getOriginalMessage());
        }
    }

    /** The raw bytes of {@code key}, which must be of {@code dtype} with {@code count} elements (any when −1). */
    private byte[] bytes(String key, String dtype, long count) {
        if (!st.contains(key)) {
            throw new BnbCheckpointException(st.source().toString(), key, "missing");
        }
        TensorInfo t = st.info(key);
        if (!t.dtype().equals(dtype) || (count >= 0 && t.elements() != count)) {
            throw bad(key, "expected " + dtype + " with " + (count >= 0 ? count : "any number of") + " elements, got "
                    + t.dtype() + " " + Arrays.toString(t.shape()));
        }
        return st.readBytes(key);
    }

    private float[] floats(String key, long count) {
        byte[] b = bytes(key, "F32", count);
        float[] out = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    private String text(String stateKey, JsonNode s, String field) {
        JsonNode v = s.get(field);
        if (v == null || !v.isTextual()) {
            throw bad(stateKey, field + " is missing or not a string");
        }
        return v.textValue();
    }

    private int integer(String stateKey, JsonNode s, String field) {
        JsonNode v = s.get(field);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
            throw bad(stateKey, field + " is missing or not an integer");
        }
        return v.intValue();
    }

    private long[] shape(String stateKey, JsonNode s) {
        JsonNode v = s.get("shape");
        if (v == null || !v.isArray() || v.isEmpty()) {
            throw bad(stateKey, "shape is missing or not a non-empty list");
        }
        long[] shape = new long[v.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = v.get(i);
            if (!d.isIntegralNumber() || d.longValue() <= 0) {
                throw bad(stateKey, "shape " + v + " must hold positive integers");
            }
            shape[i] = d.longValue();
        }
        return shape;
    }

    private BnbCheckpointException bad(String key, String problem) {
        return new BnbCheckpointException(file(st, key), key, problem);
    }

    private static String file(ShardedSafetensors st, String key) {
        return st.contains(key) ? st.shardOf(key).path().toString() : st.source().toString();
    }
}
