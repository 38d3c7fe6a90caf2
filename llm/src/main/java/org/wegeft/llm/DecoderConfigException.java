package org.wegeft.llm;

import org.wegeft.nn.ModelConfigException;

/** A LLaMA {@code config.json} (or a {@link DecoderConfig} built in code) has a missing, mistyped or invalid value. */
public final class DecoderConfigException extends ModelConfigException {
    private static final long serialVersionUID = 1L;

    /**
     * @param source  the file (or "DecoderConfig" for a config built in code)
     * @param key     the JSON key at fault, snake_case
     * @param problem what is wrong with it
     */
    public DecoderConfigException(String source, String key, String problem) {
        super(source, key, problem);
    }
}
