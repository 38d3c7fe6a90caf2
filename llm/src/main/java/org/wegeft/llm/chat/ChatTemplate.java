package org.wegeft.llm.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jinjava.javax.el.CompositeELResolver;

/**
 * A model's chat template ({@code chat_template} of {@code tokenizer_config.json}, or {@code chat_template.jinja}),
 * rendered as transformers' {@code apply_chat_template} renders it: Jinja with {@code trim_blocks} and
 * {@code lstrip_blocks}, loop controls, {@code raise_exception}, {@code strftime_now}, transformers' {@code tojson},
 * the Python string and dict methods templates call, and the tokenizer's special tokens as variables
 * ({@code bos_token}, {@code eos_token}, …).
 *
 * <p>The engine is Jinjava; {@link PythonSyntax} and {@link PythonMethods} give it the Python semantics real templates
 * rely on. One known difference: a value that is {@code None} prints as nothing, not {@code None}.
 *
 * <pre>
 * ChatTemplate t = ChatTemplate.fromModel(modelDir);
 * String prompt = t.render(List.of(new ChatMessage("user", "Hi")), true);
 * </pre>
 */
public final class ChatTemplate {
    /** The template file beside the tokenizer that newer checkpoints carry; it wins over tokenizer_config.json. */
    public static final String TEMPLATE_FILE = "chat_template.jinja";
    private static final List<String> SPECIAL_KEYS = List.of("bos_token", "eos_token", "unk_token", "sep_token",
            "pad_token", "cls_token", "mask_token", "additional_special_tokens");
    /** More text than any model's context, so a runaway template stops. */
    private static final long MAX_OUTPUT = 64L << 20;
    private static final Jinjava ENGINE = engine();

    private final String source;
    private final String origin;
    private final String rewritten;
    private final Map<String, Object> specialTokens;
    private final Clock clock;

    private ChatTemplate(String source, Map<String, Object> specialTokens, String origin, Clock clock) {
        this.source = source;
        this.origin = origin;
        if (PythonSyntax.nesting(source) > PythonSyntax.MAX_NESTING) {
            throw new ChatTemplateException(origin, "brackets nested more than " + PythonSyntax.MAX_NESTING
                    + " deep");
        }
        try {
            this.rewritten = PythonSyntax.rewrite(source);
        } catch (IllegalArgumentException e) {
            throw new ChatTemplateException(origin, e.getMessage(), e);
        }
        this.specialTokens = Map.copyOf(specialTokens);
        this.clock = clock;
    }

    /**
     * A template from its text.
     *
     * @param specialTokens the variables {@code bos_token}, {@code eos_token}, … (strings; a list for
     *     {@code additional_special_tokens})
     * @param origin what error messages name (the file it came from)
     */
    public static ChatTemplate of(String template, Map<String, ?> specialTokens, String origin) {
        return new ChatTemplate(template, Map.copyOf(specialTokens), origin, Clock.systemDefaultZone());
    }

    /**
     * The chat template of a model or tokenizer folder.
     *
     * @throws ChatTemplateException when the folder has none
     */
    public static ChatTemplate fromModel(Path dir) {
        return find(dir).orElseThrow(() -> new ChatTemplateException(dir.toString(), "no chat template: neither "
                + TEMPLATE_FILE + " nor a 'chat_template' in tokenizer_config.json"));
    }

    /**
     * The template in {@code file} (a {@code .jinja} file) with the special tokens of the model folder {@code dir}:
     * another template for the same tokenizer.
     */
    public static ChatTemplate fromFile(Path file, Path dir) {
        return of(read(file), specialTokens(dir), file.toString());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ChatTemplateException(file.toString(), "no such file", e);
        } catch (CharacterCodingException e) {
            throw new ChatTemplateException(file.toString(), "not valid UTF-8", e);
        } catch (IOException e) {
            throw new ChatTemplateException(file.toString(), "cannot read the chat template: " + e.getMessage(), e);
        }
    }

    /** The chat template of a model or tokenizer folder, when it has one. */
    public static Optional<ChatTemplate> find(Path dir) {
        Path config = dir.resolve("tokenizer_config.json");
        JsonNode cfg = Files.isRegularFile(config) ? readJson(config) : null;
        Map<String, Object> special = specialTokens(dir);
        Path file = dir.resolve(TEMPLATE_FILE);
        if (Files.isRegularFile(file)) {
            return Optional.of(of(read(file), special, file.toString()));
        }
        JsonNode t = cfg == null ? null : cfg.get("chat_template");
        if (t == null || t.isNull()) {
            return Optional.empty();
        }
        if (t.isTextual()) {
            return Optional.of(of(t.asText(), special, config.toString()));
        }
        if (t.isArray()) {
            for (JsonNode named : t) {
                if ("default".equals(named.path("name").asText()) && named.path("template").isTextual()) {
                    return Optional.of(of(named.get("template").asText(), special, config.toString()));
                }
            }
        }
        throw new ChatTemplateException(config.toString(), "'chat_template' must be a string or a list of"
                + " {\"name\", \"template\"} with a 'default' entry");
    }

    /** The special tokens of a folder: special_tokens_map.json, overridden by tokenizer_config.json. */
    private static Map<String, Object> specialTokens(Path dir) {
        Map<String, Object> special = new LinkedHashMap<>();
        for (String name : List.of("special_tokens_map.json", "tokenizer_config.json")) {
            Path f = dir.resolve(name);
            if (Files.isRegularFile(f)) {
                addSpecialTokens(readJson(f), special);
            }
        }
        return special;
    }

    private static JsonNode readJson(Path file) {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new ChatTemplateException(file.toString(), "cannot read: " + e.getMessage(), e);
        }
    }

    /** transformers' special_tokens_map: the set tokens as strings (an added-token object by its content). */
    private static void addSpecialTokens(JsonNode cfg, Map<String, Object> out) {
        for (String key : SPECIAL_KEYS) {
            JsonNode v = cfg.get(key);
            if (v == null || v.isNull()) {
                continue;
            }
            if (v.isArray()) {
                List<String> list = new ArrayList<>();
                v.forEach(e -> list.add(e.isObject() ? e.path("content").asText() : e.asText()));
                out.put(key, list);
            } else {
                out.put(key, v.isObject() ? v.path("content").asText() : v.asText());
            }
        }
    }

    /** This template with {@code strftime_now} reading {@code c}. */
    public ChatTemplate withClock(Clock c) {
        return new ChatTemplate(source, specialTokens, origin, c);
    }

    /** The template's text. */
    public String source() {
        return source;
    }

    /** The file the template came from. */
    public String origin() {
        return origin;
    }

    /** The special-token variables the template sees. */
    public Map<String, Object> specialTokens() {
        return specialTokens;
    }

    /** The conversation as text, ending with the assistant's header when {@code addGenerationPrompt}. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /**
     * The conversation as text.
     *
     * @param kwargs further template variables, as {@code apply_chat_template(**kwargs)} passes them (for example
     *     {@code enable_thinking})
     * @throws ChatTemplateException when the template does not parse or raises an error
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, ?> kwargs) {
        List<Map<String, Object>> msgs = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            msgs.add(m.asMap());
        }
        Map<String, Object> ctx = new HashMap<>(specialTokens);
        ctx.put("messages", msgs);
        ctx.put("tools", null);
        ctx.put("documents", null);
        ctx.put("add_generation_prompt", addGenerationPrompt);
        ctx.putAll(kwargs);
        ctx.put(JinjaExtensions.NOW_KEY, ZonedDateTime.now(clock));
        RenderResult r;
        try {
            r = ENGINE.renderForResult(rewritten, ctx);
        } catch (RuntimeException e) {   // the engine's own failures on a template it cannot run
            throw new ChatTemplateException(origin, "cannot render: " + e.getMessage(), e);
        }
        for (TemplateError e : r.getErrors()) {
            if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new ChatTemplateException(origin, describe(e));
            }
        }
        return r.getOutput();
    }

    private static String describe(TemplateError e) {
        for (Throwable t = e.getException(); t != null; t = t.getCause()) {
            if (t instanceof JinjaExtensions.Raised raised) {
                return "the template raised: " + raised.getMessage();
            }
        }
        return "line " + e.getLineno() + ": " + e.getMessage();
    }

    private static Jinjava engine() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withFailOnUnknownTokens(false)
                .withMaxOutputSize(MAX_OUTPUT)
                .withElResolver(resolver)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withAllowAdjacentTextNodes(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withKeepNullableLoopValues(true)
                        .withEvaluateMapKeys(true)
                        .build())
                .build();
        Jinjava j = new Jinjava(config);
        j.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception", JinjaExtensions.class,
                "raiseException", Object.class));
        j.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now", JinjaExtensions.class,
                "strftimeNow", String.class));
        j.getGlobalContext().registerFunction(new ELFunctionDefinition("", PythonSyntax.SLICE_FUNCTION,
                JinjaExtensions.class, "pySlice", Object.class, Object.class, Object.class, Object.class));
        j.getGlobalContext().registerFunction(new ELFunctionDefinition("", JinjaExtensions.STR_FUNCTION,
                JinjaExtensions.class, "pyStr", Object.class));
        j.getGlobalContext().registerFilter(new JinjaExtensions.ToJson());
        j.getGlobalContext().registerTag(new JinjaExtensions.Generation());
        return j;
    }

    @Override
    public String toString() {
        return "ChatTemplate[" + origin + "]";
    }
}
