package org.wegeft.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.wegeft.peft.FineTuningMethod;
import org.wegeft.peft.FineTuningMethods;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Checks of command-line flags (numeric ranges, method names, files and folders that must exist). Each throws a picocli {@link ParameterException}
 * (status 2) whose message names the flag and the bad value; commands call them at the top of {@code call()}, before
 * any file is read, so a bad value is reported as such and not as a missing file or a failure deep inside a run.
 */
public final class FlagCheck {
    /** The help text of a {@code --method} flag: the built-in methods' names. */
    public static final String METHOD_HELP = "fine-tuning method: wegeft, lora, dora, vera, ia3, full, probe, bitfit or "
            + "a plug-in's";

    private FlagCheck() {
    }

    /** The registered fine-tuning method named {@code value} (an unknown name lists the registered ones). */
    public static FineTuningMethod method(CommandSpec spec, String flag, String value) {
        try {
            return FineTuningMethods.named(value);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), flag + ": " + e.getMessage());
        }
    }

    /** {@code value ≥ min}. */
    public static void atLeast(CommandSpec spec, String flag, long value, long min) {
        if (value < min) {
            throw new ParameterException(spec.commandLine(), flag + " must be at least " + min + ", got " + value);
        }
    }

    /** A finite {@code value > 0} (NaN and infinity rejected). */
    public static void positive(CommandSpec spec, String flag, double value) {
        if (!(value > 0 && value < Double.POSITIVE_INFINITY)) {
            throw new ParameterException(spec.commandLine(), flag + " must be a positive number, got " + value);
        }
    }

    /** A finite {@code value ≥ 0} (NaN and infinity rejected). */
    public static void nonNegative(CommandSpec spec, String flag, double value) {
        if (!(value >= 0 && value < Double.POSITIVE_INFINITY)) {
            throw new ParameterException(spec.commandLine(), flag + " must be a number ≥ 0, got " + value);
        }
    }

    /** {@code lo ≤ value < hi} (NaN rejected). */
    public static void inHalfOpen(CommandSpec spec, String flag, double value, double lo, double hi) {
        if (!(value >= lo && value < hi)) {
            throw new ParameterException(spec.commandLine(), flag + " must be in [" + plain(lo) + ", " + plain(hi) + "), got "
                    + value);
        }
    }

    /** {@code dir} is an existing folder (null, for an optional flag left out, passes). */
    public static void folder(CommandSpec spec, String flag, @Nullable Path dir) {
        if (dir != null && !Files.isDirectory(dir)) {
            throw new ParameterException(spec.commandLine(), flag + ": no such folder: " + dir);
        }
    }

    /** Every one of {@code files} is an existing regular file. */
    public static void files(CommandSpec spec, String flag, List<Path> files) {
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                throw new ParameterException(spec.commandLine(), flag + ": no such file: " + f);
            }
        }
    }

    private static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
