package org.wegeft.tensor.bnb;

import org.wegeft.kernels.WegeftInputException;

/**
 * A bitsandbytes-quantized checkpoint or its {@code quantization_config} cannot be read: the message is
 * {@code "<file>: <key>: <problem>"}, naming the config field or tensor key at fault.
 */
public final class BnbCheckpointException extends WegeftInputException {
    private static final long serialVersionUID = 1L;

    private final String key;

    public BnbCheckpointException(String file, String key, String problem) {
        super(file, file + ": " + key + ": " + problem, null);
        this.key = key;
    }

    /** The config field ({@code quantization_config.…}) or tensor key at fault. */
    public String key() {
        return key;
    }
}
