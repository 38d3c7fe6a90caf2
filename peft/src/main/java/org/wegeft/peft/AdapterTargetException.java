package org.wegeft.peft;

/**
 * A config cannot be applied to a model: its targets match no Linear, or a WeGeFT tie group joins layers of
 * unequal input size. The message names the config key, the group and the layers.
 */
public final class AdapterTargetException extends AdapterConfigException {
    private static final long serialVersionUID = 1L;

    public AdapterTargetException(String source, String key, String problem) {
        super(source, key, problem);
    }
}
