package org.wegeft.tensor.bnb;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.DType;

/**
 * config.json's {@code quantization_config} for a bitsandbytes 4-bit model, as transformers' BitsAndBytesConfig
 * writes it. Absent fields take BitsAndBytesConfig's defaults (fp4, no double quant, float32 compute, uint8 storage).
 *
 * @param quantType    {@code bnb_4bit_quant_type}: "nf4" or "fp4"
 * @param doubleQuant  {@code bnb_4bit_use_double_quant}: whether the absmax values are themselves quantized
 * @param computeDtype {@code bnb_4bit_compute_dtype}: what dequantized weights are rounded to before the product
 */
public record BnbQuantization(String quantType, boolean doubleQuant, DType computeDtype) {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String FIELD = "quantization_config";

    /**
     * Whether {@code dirOrFile}'s config.json declares any {@code quantization_config} (of any method), without
     * judging it.
     * @throws BnbCheckpointException when config.json cannot be read as JSON
     */
    public static boolean declared(Path dirOrFile) {
        Path file = configFile(dirOrFile);
        JsonNode q = tree(file).get(FIELD);
        return q != null && !q.isNull();
    }

    /**
     * Reads {@code dirOrFile} (a model folder or its config.json).
     * @return the 4-bit settings, or null when the config has no {@code quantization_config}
     * @throws BnbCheckpointException for another quantization method, an 8-bit checkpoint or a bad field
     */
    public static @Nullable BnbQuantization read(Path dirOrFile) {
        Path file = configFile(dirOrFile);
        JsonNode q = tree(file).get(FIELD);
        return q == null || q.isNull() ? null : of(file.toString(), q);
    }

    private static Path configFile(Path dirOrFile) {
        return Files.isDirectory(dirOrFile) ? dirOrFile.resolve("config.json") : dirOrFile;
    }

    private static JsonNode tree(Path file) {
        try {
            JsonNode root = JSON.readTree(Files.readString(file));
            if (root == null || !root.isObject()) {
                throw new BnbCheckpointException(file.toString(), "config.json", "is not a JSON object");
            }
            return root;
        } catch (JacksonException e) {
            throw new BnbCheckpointException(file.toString(), "config.json", "is not valid JSON: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BnbCheckpointException(file.toString(), "config.json", "cannot be read: " + e);
        }
    }

    /** Parses a {@code quantization_config} object read from {@code file} (named in errors). */
    public static BnbQuantization of(String file, JsonNode q) {
        if (!q.isObject()) {
            throw bad(file, "", "must be an object, got " + q.getNodeType());
        }
        String method = text(file, q, "quant_method", "bitsandbytes");
        if (!method.equals("bitsandbytes")) {
            throw bad(file, "quant_method", "'" + method + "' is not supported; only bitsandbytes 4-bit checkpoints"
                    + " (load_in_4bit) load");
        }
        if (flag(file, q, "load_in_8bit")) {
            throw bad(file, "load_in_8bit", "8-bit bitsandbytes checkpoints are not supported; load the"
                    + " full-precision model and quantize it at load (--quantize int8) instead");
        }
        if (!flag(file, q, "load_in_4bit")) {
            throw bad(file, "load_in_4bit", "is not true: not a bitsandbytes 4-bit checkpoint");
        }
        String type = text(file, q, "bnb_4bit_quant_type", "fp4");
        if (!type.equals("nf4") && !type.equals("fp4")) {
            throw bad(file, "bnb_4bit_quant_type", "'" + type + "' is not nf4 or fp4");
        }
        String storage = text(file, q, "bnb_4bit_quant_storage", "uint8");
        if (!storage.equals("uint8") && !storage.equals("torch.uint8")) {
            throw bad(file, "bnb_4bit_quant_storage", "'" + storage + "' is not supported; only uint8 storage is");
        }
        String compute = text(file, q, "bnb_4bit_compute_dtype", "float32");
        DType dtype = torchDtype(compute);
        if (dtype == null) {
            throw bad(file, "bnb_4bit_compute_dtype", "'" + compute + "' is not bfloat16, float16 or float32");
        }
        return new BnbQuantization(type, flag(file, q, "bnb_4bit_use_double_quant"), dtype);
    }

    /** A torch dtype name ("bfloat16", "torch.float16", …) as a float DType, or null when it is none of them. */
    static @Nullable DType torchDtype(String name) {
        return switch (name.startsWith("torch.") ? name.substring("torch.".length()) : name) {
            case "bfloat16" -> DType.BF16;
            case "float16", "half" -> DType.F16;
            case "float32", "float" -> DType.F32;
            default -> null;
        };
    }

    private static String text(String file, JsonNode q, String field, String absent) {
        JsonNode v = q.get(field);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.isTextual()) {
            throw bad(file, field, "must be a string, got " + v);
        }
        return v.textValue();
    }

    private static boolean flag(String file, JsonNode q, String field) {
        JsonNode v = q.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw bad(file, field, "must be true or false, got " + v);
        }
        return v.booleanValue();
    }

    private static BnbCheckpointException bad(String file, String field, String problem) {
        return new BnbCheckpointException(file, field.isEmpty() ? FIELD : FIELD + "." + field, problem);
    }
}
