package org.wegeft.peft;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An adapter config in Hugging Face PEFT's {@code adapter_config.json} layout, discriminated by
 * {@code peft_type} ({@code "WEGEFT"}, {@code "LORA"}). Unknown extra PEFT fields ({@code task_type},
 * {@code base_model_name_or_path}, {@code inference_mode}, …) are kept in {@link #extra()} and written back.
 *
 * <p>The configs live in this package (not in the method packages) because a sealed interface in the unnamed
 * module must have its permitted subtypes in its own package.
 */
public sealed interface AdapterConfig permits WeGeFTConfig, LoraConfig {
    /** The file name PEFT uses inside an adapter folder. */
    String FILE_NAME = "adapter_config.json";

    /** {@code "WEGEFT"} or {@code "LORA"}. */
    String peftType();

    /** The rank. */
    int r();

    /** The multiplier of the adapter's ΔW: alpha / r (LoRA with rsLoRA: alpha / √r). */
    float scale();

    TargetModules targetModules();

    /** Layer indices to adapt (empty: all). */
    List<Integer> layersToTransform();

    /** Names of the layer containers for {@link #layersToTransform()} (empty: PEFT's defaults). */
    List<String> layersPattern();

    /** Modules made trainable and saved whole (e.g. a new classification head). */
    List<String> modulesToSave();

    /** {@code "none"}, {@code "all"} or {@code "<method>_only"}. */
    String bias();

    /** Dropout probability of the adapter. */
    float dropout();

    /** Fields this library does not interpret, kept for writing back. */
    Map<String, @Nullable Object> extra();

    /** Reads {@code file} (an {@code adapter_config.json} or a folder holding one). */
    static AdapterConfig read(Path file) {
        Path f = Files.isDirectory(file) ? file.resolve(FILE_NAME) : file;
        String text;
        try {
            text = Files.readString(f);
        } catch (IOException e) {
            throw new AdapterConfigException(f.toString(), "(file)", "cannot read: " + e, e);
        }
        return parse(text, f.toString());
    }

    /** Parses JSON text; {@code source} names it in errors. */
    static AdapterConfig parse(String json, String source) {
        return AdapterConfigJson.parse(json, source);
    }

    /** This config as PEFT-style JSON. */
    default String toJson() {
        return AdapterConfigJson.write(this);
    }

    /** Writes this config to {@code file} atomically (temporary file, then rename). */
    default void write(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        Files.writeString(tmp, toJson());
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
