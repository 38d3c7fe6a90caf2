package org.wegeft.vision;

import org.wegeft.nn.ModelConfigException;

/** A ViT {@code config.json} (or a {@link VitConfig} built in code) has a missing, mistyped or invalid value. */
public final class VitConfigException extends ModelConfigException {
    private static final long serialVersionUID = 1L;

    /**
     * @param source  the file (or "VitConfig" for a config built in code)
     * @param key     the JSON key at fault, snake_case
     * @param problem what is wrong with it
     */
    public VitConfigException(String source, String key, String problem) {
        super(source, key, problem);
    }
}
