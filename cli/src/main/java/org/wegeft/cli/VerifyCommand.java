package org.wegeft.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.wegeft.nn.train.FolderVerifier;
import org.wegeft.nn.train.FolderVerifier.FileCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code wegeft verify DIR|FILE}: checks a checkpoint, adapter or model folder without loading it
 * ({@link FolderVerifier}); one {@code OK} line per good file on stdout, one {@code BAD} line per bad file on stderr,
 * status 2 when any file is bad.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Checks a checkpoint, adapter or model folder (or one file) without loading it: manifest"
                + " checksums, safetensors headers and data offsets, index shards, JSON files.")
final class VerifyCommand implements Callable<Integer> {
    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR|FILE", description = "a folder (checked recursively) or one file")
    @SuppressWarnings("NullAway.Init")
    Path path;

    @Override
    public Integer call() {
        if (!Files.exists(path)) {
            throw new ParameterException(spec.commandLine(), "no such file or folder: " + path);
        }
        List<FileCheck> checks = FolderVerifier.verify(path);
        if (checks.isEmpty()) {
            throw new ParameterException(spec.commandLine(), path + " holds no file verify reads (.safetensors,"
                    + " .json)");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long bad = 0;
        for (FileCheck c : checks) {
            if (c.ok()) {
                out.println("OK   " + c.file() + ": " + c.detail());
            } else {
                err.println("BAD  " + c.file() + ": " + c.problem());
                bad++;
            }
        }
        out.flush();
        if (bad > 0) {
            err.println(spec.qualifiedName() + ": " + bad + " of " + checks.size() + " files failed");
        }
        err.flush();
        return bad > 0 ? WegeftCli.USAGE_ERROR : 0;
    }
}
