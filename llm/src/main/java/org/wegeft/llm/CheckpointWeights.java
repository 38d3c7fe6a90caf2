package org.wegeft.llm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.DType;
import org.wegeft.nn.StateDictException;
import org.wegeft.tensor.ShardedSafetensors;
import org.wegeft.tensor.Storage;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorInfo;
import org.wegeft.tensor.bnb.Bnb4BitWeights;
import org.wegeft.tensor.bnb.BnbQuantization;
import org.wegeft.tensor.bnb.Nf4Blocks;

/**
 * Weights from a (sharded) safetensors checkpoint, by Hugging Face name. F32 tensors are copied to the heap
 * (trainable, writable); BF16 and F16 tensors stay in their dtype over the memory mapping (zero-copy, frozen;
 * computed in float32). Missing and mis-shaped keys are recorded (a free zero-stride placeholder stands in) so
 * that {@link #check} can report every problem at once after the model is built. A bitsandbytes 4-bit checkpoint's
 * quantized weights stay 4-bit, dequantized inside the products to their compute dtype as bitsandbytes does.
 */
final class CheckpointWeights implements WeightSource {
    private final ShardedSafetensors st;
    private final Set<String> used = new LinkedHashSet<>();
    private final List<String> missing = new ArrayList<>();
    private final List<String> misShaped = new ArrayList<>();
    private final @Nullable Bnb4BitWeights quantized;

    /** @param bnb the config's bitsandbytes 4-bit settings, or null for a checkpoint of plain float tensors */
    CheckpointWeights(ShardedSafetensors st, @Nullable BnbQuantization bnb) {
        this.st = st;
        this.quantized = bnb == null ? null : Bnb4BitWeights.of(st, bnb.computeDtype());
    }

    @Override
    public Tensor get(String key, long[] shape, Init init) {
        used.add(key);
        if (!st.contains(key)) {
            missing.add(key);
            return placeholder(shape);
        }
        if (quantized != null && quantized.isQuantized(key)) {
            return fourBit(quantized, key, shape);
        }
        TensorInfo info = st.info(key);
        if (!Arrays.equals(info.shape(), shape)) {
            misShaped.add(key + " (expected " + Arrays.toString(shape) + ", got " + Arrays.toString(info.shape())
                    + ")");
            return placeholder(shape);
        }
        try (Storage s = st.storage(key); Tensor mapped = Tensor.wrap(s, shape)) {
            if (mapped.dtype() == DType.F32) {
                return Tensor.zeros(shape).copyFrom(mapped);           // heap copy: trainable and writable
            }
            if (mapped.dtype() == DType.BF16 || mapped.dtype() == DType.F16) {
                return Tensor.wrap(s, shape);                         // stays mapped, frozen
            }
            misShaped.add(key + " (dtype " + info.dtype() + " is not a floating type)");
            return placeholder(shape);
        }
    }

    /**
     * A 4-bit weight as a frozen quantized tensor ({@link Tensor#quantized}): its codes and absmax values stay 4-bit in
     * memory and are dequantized, rounded to the compute dtype, inside the products that read them. A weight that is
     * not a matrix is dequantized once to a tensor of its rounding dtype.
     */
    private Tensor fourBit(Bnb4BitWeights q, String key, long[] shape) {
        used.addAll(q.keysOf(key));
        Nf4Blocks b = q.read(key);
        if (!Arrays.equals(b.shape(), shape)) {
            misShaped.add(key + " (expected " + Arrays.toString(shape) + ", quant state says "
                    + Arrays.toString(b.shape()) + ")");
            return placeholder(shape);
        }
        if (shape.length == 2) {
            return Tensor.nf4(Math.toIntExact(shape[0]), Math.toIntExact(shape[1]), b.packed(), b.absmax(),
                    b.codeTable(), b.blockSize(), b.roundTo());
        }
        Tensor f32 = Tensor.of(b.dequantize(), shape);
        if (b.roundTo() == DType.F32) {
            return f32;
        }
        try (f32) {
            return f32.to(b.roundTo());                               // exact: the values are already rounded
        }
    }

    private static Tensor placeholder(long[] shape) {
        try (Tensor one = Tensor.zeros(ones(shape.length))) {
            return one.expand(shape);
        }
    }

    private static long[] ones(int n) {
        long[] s = new long[n];
        Arrays.fill(s, 1);
        return s;
    }

    /**
     * The header shape of every floating-point tensor stored as it is (not 4-bit quantized), by name: the tensors
     * whose shapes the config's sizes must match (packed integer weights are reported by {@link #check}).
     */
    Map<String, long[]> plainShapes() {
        Map<String, long[]> out = new HashMap<>();
        for (TensorInfo t : st.tensors()) {
            boolean floating = switch (t.dtype()) {
                case "F32", "BF16", "F16", "F64" -> true;
                default -> false;
            };
            if (floating && (quantized == null || !quantized.isQuantized(t.name()))) {
                out.put(t.name(), t.shape());
            }
        }
        return out;
    }

    /** Marks a key as known but unused (e.g. lm_head.weight of a tied model). */
    void ignore(String key) {
        used.add(key);
    }

    /**
     * @throws StateDictException naming every missing, unexpected and mis-shaped key, if any
     */
    void check(String source) {
        List<String> unexpected = st.tensors().stream().map(TensorInfo::name).filter(k -> !used.contains(k))
                .toList();
        if (!missing.isEmpty() || !unexpected.isEmpty() || !misShaped.isEmpty()) {
            throw new StateDictException(source, missing, unexpected, misShaped);
        }
    }
}
