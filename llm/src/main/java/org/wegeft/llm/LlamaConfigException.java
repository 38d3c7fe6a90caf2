package org.wegeft.llm;

import org.wegeft.nn.ModelConfigException;

/** A LLaMA {@code config.json} (or a {@link LlamaConfig} built in code) has a missing, mistyped or invalid value. */
public final class LlamaConfigException extends ModelConfigException {
    private static final long serialVersionUID = 1L;

    /**
     * @param source  the file (or "LlamaConfig" for a config built in code)
     * @param key     the JSON key at fault, snake_case
     * @param problem what is wrong with it
     */
    public LlamaConfigException(String source, String key, String problem) {
        super(source, key, problem);
    }
}
