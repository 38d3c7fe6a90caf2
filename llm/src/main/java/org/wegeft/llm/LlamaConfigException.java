package org.wegeft.llm;

/** A LLaMA {@code config.json} (or a {@link LlamaConfig} built in code) has a missing, mistyped or invalid value. */
public final class LlamaConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String source;
    private final String key;
    private final String problem;

    /**
     * @param source  the file (or "LlamaConfig" for a config built in code)
     * @param key     the JSON key at fault, snake_case
     * @param problem what is wrong with it
     */
    public LlamaConfigException(String source, String key, String problem) {
        super(source + ": '" + key + "' " + problem);
        this.source = source;
        this.key = key;
        this.problem = problem;
    }

    public String source() {
        return source;
    }

    public String key() {
        return key;
    }

    public String problem() {
        return problem;
    }
}
