package org.wegeft.cli.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.wegeft.nn.data.ArrowWriter;

/** Small valid inputs the fuzzer starts from (kept small so that thousands of executions take seconds). */
final class Seeds {
    private Seeds() {
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A safetensors file: 8-byte little-endian header size, JSON header, then the data bytes. */
    static byte[] safetensors(String header, int dataBytes) {
        byte[] h = utf8(header);
        byte[] data = new byte[dataBytes];
        for (int i = 0; i < dataBytes; i++) {
            data[i] = (byte) (i * 37);
        }
        byte[] len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array();
        return Mutator.concat(len, h, data);
    }

    static List<byte[]> safetensors() {
        return List.of(
                safetensors("{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],"
                        + "\"data_offsets\":[0,24]},\"b\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[24,32]}}", 32),
                safetensors("{\"w\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
                        + "\"i\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[8,16]},"
                        + "\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[16,20]}}", 20),
                safetensors("{\"e\":{\"dtype\":\"F32\",\"shape\":[0,5],\"data_offsets\":[0,0]}}    ", 0));
    }

    static List<byte[]> vitConfigs() {
        return List.of(utf8("""
                {"architecture": "vit_tiny_sample", "img_size": 28, "patch_size": 4, "embed_dim": 64, "depth": 2,
                 "num_heads": 2, "mlp_ratio": 2.0, "num_classes": 10}"""),
                utf8("""
                {"model_type": "vit", "image_size": 32, "patch_size": 8, "hidden_size": 48, "num_hidden_layers": 1,
                 "num_attention_heads": 3, "intermediate_size": 96, "num_channels": 3, "qkv_bias": true,
                 "layer_norm_eps": 1e-12, "id2label": {"0": "cat", "1": "dog"}}"""));
    }

    static List<byte[]> llamaConfigs() {
        return List.of(utf8("""
                {"vocab_size": 128, "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 64,
                 "rms_norm_eps": 1e-05, "rope_theta": 500000.0, "rope_scaling": null, "tie_word_embeddings": false,
                 "attention_bias": false, "mlp_bias": false, "hidden_act": "silu", "bos_token_id": 1,
                 "eos_token_id": 2, "torch_dtype": "bfloat16", "initializer_range": 0.02, "model_type": "llama"}"""),
                utf8("""
                {"vocab_size": 64, "hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1,
                 "num_attention_heads": 2, "num_key_value_heads": 1, "max_position_embeddings": 32,
                 "rms_norm_eps": 1e-06, "rope_theta": 10000.0, "tie_word_embeddings": true, "model_type": "qwen2",
                 "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                 "high_freq_factor": 4.0, "original_max_position_embeddings": 16}, "eos_token_id": [2, 3]}"""));
    }

    static List<byte[]> adapterConfigs() {
        return List.of(utf8("""
                {"peft_type": "WEGEFT", "r": 4, "wegeft_alpha": 4, "target_modules": ["q_proj", "v_proj"],
                 "tied_modules": [["q_proj"]], "wegeft_dropout": 0.1, "transform_dim": "input", "bias": "none",
                 "modules_to_save": null}"""),
                utf8("""
                {"peft_type": "LORA", "r": 8, "lora_alpha": 16, "target_modules": "q_proj|k_proj",
                 "lora_dropout": 0.05, "bias": "none", "use_rslora": false, "modules_to_save": ["head"]}"""));
    }

    static final String TOKENIZER_JSON = """
            {"version": "1.0", "truncation": null, "padding": null,
             "added_tokens": [{"id": 0, "content": "<unk>", "single_word": false, "lstrip": false, "rstrip": false,
               "normalized": false, "special": true},
              {"id": 3, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false,
               "normalized": false, "special": true}],
             "normalizer": null, "pre_tokenizer": {"type": "Whitespace"}, "post_processor": null, "decoder": null,
             "model": {"type": "WordLevel", "vocab": {"<unk>": 0, "hello": 1, "world": 2, "</s>": 3, "<s>": 4},
               "unk_token": "<unk>"}}""";
    static final String TOKENIZER_BPE_JSON = """
            {"version": "1.0", "truncation": null, "padding": null, "added_tokens": [],
             "normalizer": null, "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false,
               "trim_offsets": true, "use_regex": true}, "post_processor": null,
             "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
             "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
               "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false,
               "vocab": {"a": 0, "b": 1, "c": 2, "ab": 3, "abc": 4, "<s>": 5, "</s>": 6, "<unk>": 7}, "merges": ["a b", "ab c"]}}""";
    static final String TOKENIZER_CONFIG = """
            {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "add_bos_token": true,
             "chat_template": "{{ messages }}"}""";

    static List<byte[]> tokenizerFiles() {
        return List.of(utf8(TOKENIZER_JSON), utf8(TOKENIZER_BPE_JSON), utf8(TOKENIZER_CONFIG));
    }

    static List<byte[]> jsonl() {
        return List.of(utf8("""
                {"instruction": "Add", "input": "2 3", "output": "5"}
                {"text": "plain text record"}

                {"input_ids": [1, 2, 3], "labels": [-100, 2, 3]}
                {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hé?"}]}
                {"prompt": [{"role": "user", "content": "Q"}], "completion": [{"role": "assistant", "content": "A"}]}
                {"prompt": "2 + 2 =", "completion": " 4"}
                """), utf8("{\"instruction\": \"Say hi\", \"output\": \"hi\"}\n"));
    }

    /** Chat templates in the forms real ones take: loops, namespaces, slices, string methods, tojson. */
    static List<byte[]> chatTemplates() {
        return List.of(utf8("""
                {{- bos_token }}{%- set ns = namespace(last=messages|length - 1) %}
                {%- for m in messages[::-1] %}{%- if m.role == 'user' %}{%- set ns.last = loop.index0 %}{%- endif %}{%- endfor %}
                {%- for m in messages %}
                    {%- if m.role == 'assistant' and '</think>' in m.content %}
                        {{- m.content.split('</think>')[-1].lstrip('\\n') }}
                    {%- else %}
                        {{- '<|' + m.role + '|>\\n' + m.content|trim + eos_token }}
                    {%- endif %}
                {%- endfor %}
                {%- if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}
                """), utf8("{% for m in messages %}{{ m | tojson(indent=2) }}{% if loop.last %}"
                + "{{ raise_exception('end') if m.role == 'x' }}{% endif %}{% endfor %}"));
    }

    static final String SAVED_STATE = "{\"_data_files\": [{\"filename\": \"data-00000-of-00002.arrow\"},"
            + " {\"filename\": \"data-00001-of-00002.arrow\"}], \"_split\": \"train\"}";
    static final String SAVED_INFO = "{\"features\": {\"text\": {\"dtype\": \"string\", \"_type\": \"Value\"},"
            + " \"label\": {\"names\": [\"neg\", \"pos\"], \"_type\": \"ClassLabel\"}}}";

    /**
     * A save_to_disk folder's two shards written into {@code dir}, with {@code other} (state.json or
     * dataset_info.json) beside them; returns the seeds of the file being fuzzed.
     */
    static List<byte[]> savedDataset(Path dir, String other, String otherText, String seed) {
        try {
            new ArrowWriter().strings("text", List.of("good", "bad")).integers("label", 64, new long[] {1, 0})
                    .write(dir.resolve("data-00000-of-00002.arrow"), ArrowWriter.Format.STREAM);
            new ArrowWriter().strings("text", List.of("fine")).integers("label", 64, new long[] {1})
                    .write(dir.resolve("data-00001-of-00002.arrow"), ArrowWriter.Format.STREAM);
            Files.writeString(dir.resolve(other), otherText);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.of(utf8(seed));
    }

    /** JSON arrays of records, as the original alpaca_data.json. */
    static List<byte[]> jsonArrays() {
        return List.of(utf8("""
                [
                    {"instruction": "Add", "input": "2 3", "output": "5"},
                    {"text": "plain text record"},
                    {"input_ids": [1, 2, 3], "labels": [-100, 2, 3]}
                ]
                """), utf8("[{\"instruction\": \"Say hi\", \"output\": \"hi\"}]"));
    }

    /**
     * The DuckDB-written Parquet record fixtures (tools/fixtures/make_parquet_fixtures.sh): chat message lists,
     * instruction strings with a null, prompt/completion message lists, text beside an integer column.
     */
    static List<byte[]> parquet() {
        Path dir = Path.of("..", "llm", "src", "test", "resources", "fixtures", "records");
        try {
            List<byte[]> out = new java.util.ArrayList<>();
            for (String f : List.of("chat", "instruct", "prompt-completion-chat", "text-renamed")) {
                out.add(Files.readAllBytes(dir.resolve(f + ".parquet")));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Two small Arrow IPC files (file and stream format) with an image, a label and a text column. */
    static List<byte[]> arrow(Path tmp) {
        try {
            Path f = tmp.resolve("seed-file.arrow");
            Path s = tmp.resolve("seed-stream.arrow");
            byte[] img = new byte[16];
            for (int i = 0; i < img.length; i++) {
                img[i] = (byte) (i * 16);
            }
            writer(img).write(f, ArrowWriter.Format.FILE);
            writer(img).write(s, ArrowWriter.Format.STREAM);
            return List.of(Files.readAllBytes(f), Files.readAllBytes(s));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ArrowWriter writer(byte[] img) {
        return new ArrowWriter().batchRows(2)
                .uint8FixedList("pixels", List.of(img, img, img), 16)
                .integers("label", 64, new long[] {0, 1, 2})
                .strings("text", List.of("a", "bc", ""));
    }
}
