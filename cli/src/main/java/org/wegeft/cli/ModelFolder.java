package org.wegeft.cli;

import java.nio.file.Path;
import org.wegeft.nn.HubCache;
import picocli.CommandLine.ITypeConverter;

/** A {@code --model} value: a folder, or a Hugging Face Hub id ({@code org/name}) found in the local cache. */
public final class ModelFolder implements ITypeConverter<Path> {
    @Override
    public Path convert(String value) {
        return HubCache.resolve(value);
    }
}
