package org.wegeft.peft.merge;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.wegeft.tensor.ShardedSafetensors;
import org.wegeft.tensor.TensorInfo;
import org.wegeft.tensor.bnb.Bnb4BitWeights;
import org.wegeft.tensor.bnb.BnbQuantization;

/**
 * Checks that a full-precision base folder is the model a quantized folder was made from: the quantized folder
 * declares a {@code quantization_config} and the base none, and every tensor of the quantized folder (a 4-bit weight
 * by its quant state's logical shape) is in the base under its name with its shape. From file headers and quant
 * states only; no weight data is read.
 */
final class QuantizedBase {
    private static final int LISTED = 5;

    private QuantizedBase() {
    }

    /** @throws IllegalArgumentException naming the folder and the keys that do not fit */
    static void check(Path quantized, Path base) {
        if (!BnbQuantization.declared(quantized)) {
            throw new IllegalArgumentException("base folder " + base + ": a base is only for a quantized model, and "
                    + quantized + " has no quantization_config in its config.json; merge into it directly");
        }
        if (BnbQuantization.declared(base)) {
            throw new IllegalArgumentException("base folder " + base + ": its config.json has a quantization_config;"
                    + " the base must hold the full-precision weights");
        }
        BnbQuantization q = Objects.requireNonNull(BnbQuantization.read(quantized));   // declared, so not null
        List<String> problems = new ArrayList<>();
        try (ShardedSafetensors qs = ShardedSafetensors.open(quantized);
             ShardedSafetensors bs = ShardedSafetensors.open(base)) {
            Bnb4BitWeights w = Bnb4BitWeights.of(qs, q.computeDtype());
            Set<String> parts = new HashSet<>();
            w.quantizedWeights().forEach(k -> parts.addAll(w.keysOf(k)));
            for (TensorInfo t : qs.tensors()) {
                boolean packed = w.isQuantized(t.name());
                if (parts.contains(t.name()) && !packed) {
                    continue;
                }
                long[] shape = packed ? w.shape(t.name()) : t.shape();
                if (!bs.contains(t.name())) {
                    problems.add(t.name() + " (missing)");
                } else if (!Arrays.equals(bs.info(t.name()).shape(), shape)) {
                    problems.add(t.name() + " (" + Arrays.toString(bs.info(t.name()).shape()) + ", the quantized model's"
                            + " is " + Arrays.toString(shape) + ")");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("base folder " + base + ": does not match the quantized model "
                    + quantized + ": " + String.join(", ", problems.subList(0, Math.min(LISTED, problems.size())))
                    + (problems.size() > LISTED ? " and " + (problems.size() - LISTED) + " more" : ""));
        }
    }
}
