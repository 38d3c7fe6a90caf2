package org.wegeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.wegeft.kernels.BackendUnavailableException;
import org.wegeft.kernels.WegeftInputException;
import org.wegeft.llm.DecoderConfigException;
import org.wegeft.llm.data.DataFormatException;
import org.wegeft.llm.tokenizer.TokenizerException;
import org.wegeft.nn.HubCache;
import org.wegeft.nn.ModelConfigException;
import org.wegeft.nn.StateDictException;
import org.wegeft.nn.data.DatasetException;
import org.wegeft.nn.data.MissingJvmFlagsException;
import org.wegeft.peft.AdapterConfigException;
import org.wegeft.peft.AdapterLoadException;
import org.wegeft.peft.AdapterTargetException;
import org.wegeft.tensor.SafetensorsException;
import org.wegeft.vision.VitConfigException;
import picocli.CommandLine;

/** Every bad-input exception of the library is a {@link WegeftInputException}, and the command line's status 2. */
class InputExceptionFamilyTest {
    static final List<Class<? extends RuntimeException>> FAMILY = List.of(BackendUnavailableException.class,
            DecoderConfigException.class, DataFormatException.class, TokenizerException.class, StateDictException.class,
            DatasetException.class, MissingJvmFlagsException.class, AdapterConfigException.class,
            AdapterLoadException.class, AdapterTargetException.class, SafetensorsException.class,
            VitConfigException.class, ModelConfigException.class, HubCache.NotCachedException.class);

    @Test
    void everyBadInputExceptionExtendsTheBase() {
        for (Class<? extends RuntimeException> c : FAMILY) {
            assertTrue(WegeftInputException.class.isAssignableFrom(c), c.getName());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void theCommandLineMapsTheFamilyToStatusTwoAndOtherFailuresToOne(boolean input) {
        StringWriter err = new StringWriter();
        CommandLine cl = WegeftCli.commandLine(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        RuntimeException ex = input ? new SafetensorsException(Path.of("model.safetensors"), "header", "truncated")
                : new IllegalStateException("a bug");
        int status = WegeftCli.report(cl, ex);
        assertEquals(input ? 2 : 1, status, err.toString());
        assertTrue(err.toString().contains(input ? "model.safetensors: header: truncated" : "internal error"),
                err.toString());
    }
}
