package org.wegeft.llm.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Reads the JSON files of a tokenizer: the vocabulary of {@code tokenizer.json} and the special-token settings. */
final class TokenizerFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenizerFiles() {
    }

    /** The vocabulary of a {@code tokenizer.json}: model vocab plus added tokens, and which are special. */
    record Vocab(String[] idToToken, Map<String, Integer> tokenToId, Map<String, Integer> special,
                 @Nullable String modelUnk) {
    }

    /**
     * Deepest nesting accepted. A real tokenizer file nests about 6 levels; the native tokenizer overflows its
     * stack (aborting the JVM) on documents nested a few hundred levels deep, so those never reach it.
     */
    static final int MAX_DEPTH = 64;

    static JsonNode read(Path file) {
        try {
            JsonNode root = JSON.readTree(Files.readString(file));
            if (root == null || root.isMissingNode()) {
                throw new TokenizerException(file, "empty file (a JSON object is needed)");
            }
            if (depth(root) > MAX_DEPTH) {
                throw new TokenizerException(file, "JSON nested deeper than " + MAX_DEPTH + " levels");
            }
            return root;
        } catch (NoSuchFileException e) {
            throw new TokenizerException(file, "file not found", e);
        } catch (JsonProcessingException e) {
            var at = e.getLocation(); // null for some errors (e.g. a nesting-depth limit)
            throw new TokenizerException(file, "malformed JSON: " + e.getOriginalMessage()
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()), e);
        } catch (IOException e) {
            throw new TokenizerException(file, "cannot read: " + e, e);
        }
    }

    /** Nesting depth of a document (iterative: a deep document must not overflow this stack either). */
    static int depth(JsonNode root) {
        int max = 0;
        java.util.ArrayDeque<java.util.Map.Entry<JsonNode, Integer>> todo = new java.util.ArrayDeque<>();
        todo.push(java.util.Map.entry(root, 1));
        while (!todo.isEmpty()) {
            var e = todo.pop();
            max = Math.max(max, e.getValue());
            if (e.getValue() > MAX_DEPTH) {
                return e.getValue();
            }
            for (JsonNode c : e.getKey()) {
                if (c.isContainerNode()) {
                    todo.push(java.util.Map.entry(c, e.getValue() + 1));
                }
            }
        }
        return max;
    }

    static @Nullable JsonNode readOptional(Path file) {
        return Files.isRegularFile(file) ? read(file) : null;
    }

    /** Token ids at or above this are rejected (real vocabularies are under 2^18). */
    static final int MAX_TOKEN_ID = 1 << 24;

    static Vocab vocab(Path file, JsonNode root) {
        JsonNode model = root.path("model");
        if (!model.isObject()) {
            throw new TokenizerException(file, "key 'model': missing or not an object");
        }
        Map<String, Integer> ids = new LinkedHashMap<>();
        JsonNode vocab = model.path("vocab");
        if (vocab.isObject()) { // BPE, WordPiece, WordLevel: {token: id}
            for (var e : vocab.properties()) {
                if (!e.getValue().canConvertToInt()) {
                    throw new TokenizerException(file, "key 'model.vocab." + e.getKey() + "': id is not an integer");
                }
                ids.put(e.getKey(), e.getValue().intValue());
            }
        } else if (vocab.isArray()) { // Unigram: [[token, score], ...], id = position
            for (int i = 0; i < vocab.size(); i++) {
                ids.put(vocab.get(i).path(0).asText(), i);
            }
        } else {
            throw new TokenizerException(file, "key 'model.vocab': missing (model type '"
                    + model.path("type").asText("?") + "')");
        }
        Map<String, Integer> special = new HashMap<>();
        for (JsonNode t : root.path("added_tokens")) {
            if (!t.path("id").canConvertToInt() || !t.path("content").isTextual()) {
                throw new TokenizerException(file, "key 'added_tokens': entry without integer 'id' and 'content': " + t);
            }
            ids.put(t.get("content").asText(), t.get("id").intValue());
            if (t.path("special").asBoolean(false)) {
                special.put(t.get("content").asText(), t.get("id").intValue());
            }
        }
        int size = 0;
        for (int id : ids.values()) {
            if (id < 0) {
                throw new TokenizerException(file, "negative token id " + id);
            }
            if (id >= MAX_TOKEN_ID) { // checked before the id table is allocated
                throw new TokenizerException(file, "token id " + id + " is beyond the supported " + MAX_TOKEN_ID);
            }
            size = Math.max(size, id + 1);
        }
        String[] byId = new String[size];
        ids.forEach((tok, id) -> byId[id] = tok);
        JsonNode unk = model.path("unk_token");
        if (unk.isTextual() && !ids.containsKey(unk.asText())) {
            throw new TokenizerException(file, "key 'model.unk_token': token '" + unk.asText()
                    + "' is not in the vocabulary");
        }
        checkMerges(file, model);
        checkFinite(file, root, "");
        for (String section : new String[] {"normalizer", "pre_tokenizer", "post_processor", "decoder", "truncation",
                "padding"}) {
            checkUnsignedNumbers(file, root.path(section), section);
        }
        return new Vocab(byId, ids, special, unk.isTextual() ? unk.asText() : null);
    }

    /**
     * A number beyond the double range (e.g. {@code 1e999}) makes tokenizers 0.21 panic while deserialising
     * (aborting the JVM) rather than return an error; none is valid anywhere in a tokenizer file.
     */
    private static void checkFinite(Path file, JsonNode node, String path) {
        if (node.isNumber()) {
            if (!Double.isFinite(node.asDouble())) {
                throw new TokenizerException(file, "key '" + path + "': number " + node.asText() + " is out of range");
            }
        } else if (node.isObject()) {
            for (var e : node.properties()) {
                checkFinite(file, e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey());
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkFinite(file, node.get(i), path + "[" + i + "]");
            }
        }
    }

    /**
     * Every number in the pipeline sections (strip counts, template type ids, special-token ids, truncation and
     * padding sizes) is an unsigned integer on the native side, and tokenizers 0.21 panics (aborting the JVM)
     * instead of returning an error when one is out of range (e.g. a decoder's "start": -1): such values are
     * rejected here, naming the key.
     */
    private static void checkUnsignedNumbers(Path file, JsonNode node, String path) {
        if (node.isNumber()) {
            if (!node.isIntegralNumber() || node.bigIntegerValue().signum() < 0
                    || node.bigIntegerValue().bitLength() > 32) {
                throw new TokenizerException(file, "key '" + path + "': " + node.asText()
                        + " is not an unsigned 32-bit integer");
            }
        } else if (node.isObject()) {
            for (var e : node.properties()) {
                checkUnsignedNumbers(file, e.getValue(), path + "." + e.getKey());
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkUnsignedNumbers(file, node.get(i), path + "[" + i + "]");
            }
        }
    }

    /**
     * The native BPE builder (tokenizers 0.21) cuts each merge's right part after the continuing-subword prefix
     * without checking its length or the character boundary; the resulting Rust panic aborts the JVM. Such
     * merges are rejected here, before the file reaches native code.
     */
    private static void checkMerges(Path file, JsonNode model) {
        JsonNode prefix = model.path("continuing_subword_prefix");
        if (!prefix.isTextual() || prefix.asText().isEmpty()) {
            return;
        }
        int cut = prefix.asText().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        JsonNode merges = model.path("merges");
        for (int i = 0; i < merges.size(); i++) {
            JsonNode m = merges.get(i);
            String right = m.isTextual() ? m.asText().substring(m.asText().indexOf(' ') + 1)
                    : m.isArray() && m.size() == 2 ? m.get(1).asText() : null;
            if (right == null) {
                continue; // malformed entries are reported by the native parser as errors, not panics
            }
            byte[] r = right.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (r.length < cut || (r.length > cut && (r[cut] & 0xC0) == 0x80)) {
                throw new TokenizerException(file, "key 'model.merges[" + i + "]': right part '" + right
                        + "' is shorter than (or splits a character of) continuing_subword_prefix '"
                        + prefix.asText() + "'");
            }
        }
    }

    /**
     * Special tokens from {@code tokenizer_config.json} (token strings or {@code {"content": ...}} objects),
     * {@code generation_config.json} and {@code config.json} (ids; {@code eos_token_id} an int or a list), in that
     * order of precedence; any of the three may be absent.
     */
    static SpecialTokens specials(Vocab vocab, @Nullable Path tokConfigFile, @Nullable JsonNode tokConfig,
                                  @Nullable Path genConfigFile, @Nullable JsonNode genConfig,
                                  @Nullable Path modelConfigFile, @Nullable JsonNode modelConfig) {
        int bos = tokenId(vocab, tokConfigFile, tokConfig, "bos_token");
        int eos = tokenId(vocab, tokConfigFile, tokConfig, "eos_token");
        int pad = tokenId(vocab, tokConfigFile, tokConfig, "pad_token");
        int unk = tokenId(vocab, tokConfigFile, tokConfig, "unk_token");
        List<Integer> eosIds = new ArrayList<>();
        for (var src : List.of(new Src(genConfigFile, genConfig), new Src(modelConfigFile, modelConfig))) {
            if (src.json == null || src.file == null) {
                continue;
            }
            List<Integer> listed = ids(src.file, src.json, "eos_token_id", vocab.idToToken.length);
            if (eosIds.isEmpty()) {
                eosIds.addAll(listed);
            }
            if (bos < 0) {
                bos = ids(src.file, src.json, "bos_token_id", vocab.idToToken.length).stream().findFirst().orElse(-1);
            }
            if (pad < 0) {
                pad = ids(src.file, src.json, "pad_token_id", vocab.idToToken.length).stream().findFirst().orElse(-1);
            }
        }
        if (eos < 0 && !eosIds.isEmpty()) {
            eos = eosIds.getFirst();
        }
        if (eos >= 0 && !eosIds.contains(eos)) {
            eosIds.addFirst(eos);
        }
        if (unk < 0 && vocab.modelUnk != null && vocab.tokenToId.containsKey(vocab.modelUnk)) {
            unk = vocab.tokenToId.get(vocab.modelUnk);
        }
        return new SpecialTokens(bos, eos, eosIds.stream().mapToInt(Integer::intValue).toArray(), pad, unk,
                vocab.special);
    }

    private record Src(@Nullable Path file, @Nullable JsonNode json) {
    }

    private static int tokenId(Vocab vocab, @Nullable Path file, @Nullable JsonNode config, String key) {
        if (config == null || file == null) {
            return -1;
        }
        JsonNode v = config.path(key);
        if (v.isObject()) {
            v = v.path("content");
        }
        if (v.isMissingNode() || v.isNull()) {
            return -1;
        }
        if (!v.isTextual()) {
            throw new TokenizerException(file, "key '" + key + "': expected a token string, got " + v);
        }
        Integer id = vocab.tokenToId.get(v.asText());
        if (id == null) {
            throw new TokenizerException(file, "key '" + key + "': token '" + v.asText()
                    + "' is not in the tokenizer's vocabulary");
        }
        return id;
    }

    private static List<Integer> ids(Path file, JsonNode config, String key, int vocabSize) {
        JsonNode v = config.path(key);
        List<Integer> out = new ArrayList<>();
        if (v.isMissingNode() || v.isNull()) {
            return out;
        }
        for (JsonNode e : v.isArray() ? v : List.of(v)) {
            if (!e.canConvertToInt() || !e.isIntegralNumber() || e.intValue() < 0 || e.intValue() >= vocabSize) {
                throw new TokenizerException(file, "key '" + key + "': expected token ids in [0, " + vocabSize
                        + "), got " + v);
            }
            out.add(e.intValue());
        }
        return out;
    }
}
