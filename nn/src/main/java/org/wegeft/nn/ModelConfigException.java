package org.wegeft.nn;

import org.wegeft.kernels.WegeftInputException;

/**
 * A model's {@code config.json} (or a config built in code) has a missing, mistyped or invalid value. Each model
 * family throws its own subclass, so a caller can tell them apart.
 */
public class ModelConfigException extends WegeftInputException {
    private static final long serialVersionUID = 1L;
    private final String source;
    private final String key;
    private final String problem;

    /**
     * @param source  the file (or the config class's name for a config built in code)
     * @param key     the JSON key at fault, snake_case
     * @param problem what is wrong with it
     */
    protected ModelConfigException(String source, String key, String problem) {
        super(source, source + ": '" + key + "' " + problem, null);
        this.source = source;
        this.key = key;
        this.problem = problem;
    }

    @Override
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
