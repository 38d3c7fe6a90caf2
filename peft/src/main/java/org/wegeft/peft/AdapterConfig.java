package org.wegeft.peft;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.io.AtomicFiles;
import org.wegeft.nn.ConfigFields;

/**
 * An adapter config in Hugging Face PEFT's {@code adapter_config.json} layout, discriminated by
 * {@code peft_type}: each {@link AdapterMethod} has its own record, in its package. Unknown extra PEFT fields
 * ({@code task_type}, {@code base_model_name_or_path}, {@code inference_mode}, …) are kept in {@link #extra()} and
 * written back.
 */
public interface AdapterConfig {
    /** The file name PEFT uses inside an adapter folder. */
    String FILE_NAME = "adapter_config.json";

    /** The method this config is for. */
    AdapterMethod method();

    /** The method's {@code peft_type}. */
    default String peftType() {
        return method().peftType();
    }

    /** The rank. */
    int r();

    /** The multiplier of the adapter's ΔW: alpha / r (LoRA with rsLoRA: alpha / √r). */
    float scale();

    TargetModules targetModules();

    /** Layer indices to adapt (empty: all). */
    List<Integer> layersToTransform();

    /** Names of the layer containers for {@link #layersToTransform()} (empty: PEFT's defaults). */
    List<String> layersPattern();

    /**
     * Groups of regexes (matched at the start of a module path, as Python's {@code re.match}): the targets of a group
     * share one set of adapter tensors, owned by the first of them in module order. Empty: nothing shared.
     */
    default List<List<String>> tiedModules() {
        return List.of();
    }

    /** PEFT's {@code exclude_modules}: Linears never adapted even when targeted, or null for none. */
    default @Nullable TargetModules excludeModules() {
        return null;
    }

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
        return AdapterConfigJson.write(this, Map.of());
    }

    /** Writes this config to {@code file} atomically (temporary file, then rename). */
    default void write(Path file) throws IOException {
        write(file, Map.of());
    }

    /**
     * {@link #write(Path)} with {@code fields} added where the config has none of that name: what a writer knows and
     * the config does not ({@code task_type}, {@code base_model_name_or_path}, which Hugging Face's
     * {@code AutoPeftModel*} need to open the folder).
     */
    default void write(Path file, Map<String, ?> fields) throws IOException {
        AtomicFiles.writeString(file, AdapterConfigJson.write(this, fields));
    }
}
