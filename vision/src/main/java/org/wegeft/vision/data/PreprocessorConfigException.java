package org.wegeft.vision.data;

import org.wegeft.nn.ModelConfigException;

/** A {@code preprocessor_config.json} has a missing, mistyped or unsupported value. */
public final class PreprocessorConfigException extends ModelConfigException {
    private static final long serialVersionUID = 1L;

    /**
     * @param source  the file (or "PreprocessorConfig" for a config built in code)
     * @param key     the JSON key at fault
     * @param problem what is wrong with it
     */
    public PreprocessorConfigException(String source, String key, String problem) {
        super(source, key, problem);
    }
}
