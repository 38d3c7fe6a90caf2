package org.wegeft.cli;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.wegeft.kernels.io.DiskSpace;
import org.wegeft.tensor.SafetensorsException;
import org.wegeft.tensor.SafetensorsFile;
import org.wegeft.tensor.ShardedSafetensors;
import org.wegeft.tensor.TensorInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code wegeft inspect FILE|DIR}: the tensors (name, dtype, shape, bytes) and metadata of a safetensors
 * file, or of a model folder (sharded with an index, or a single {@code model.safetensors}).
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Lists the tensors and metadata of a .safetensors file or model folder.")
final class InspectCommand implements Callable<Integer> {
    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE|DIR", description = "a .safetensors file, an index file or a model folder")
    @SuppressWarnings("NullAway.Init")
    Path path;

    @Option(names = "--json", description = "machine-readable output (one JSON object)")
    boolean json;

    @Override
    public Integer call() {
        if (!Files.exists(path)) {
            throw new SafetensorsException(path, "file", "no such file or folder");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (ShardedSafetensors ck = ShardedSafetensors.open(path)) {
            List<TensorInfo> tensors = ck.tensors();
            long totalBytes = 0;
            long totalParams = 0;
            for (TensorInfo t : tensors) {
                totalBytes += t.bytes();
                totalParams += t.elements();
            }
            if (json) {
                out.println(toJson(ck, tensors, totalBytes, totalParams));
            } else {
                printTable(out, ck, tensors, totalBytes, totalParams);
            }
        }
        out.flush();
        return 0;
    }

    private static String toJson(ShardedSafetensors ck, List<TensorInfo> tensors, long totalBytes, long totalParams) {
        JsonMapper m = new JsonMapper();
        ObjectNode root = m.createObjectNode();
        root.put("source", ck.source().toString());
        ArrayNode files = root.putArray("files");
        for (SafetensorsFile f : ck.shards()) {
            files.add(f.path().toString());
        }
        ArrayNode arr = root.putArray("tensors");
        for (TensorInfo t : tensors) {
            ObjectNode o = arr.addObject();
            o.put("name", t.name()).put("dtype", t.dtype());
            ArrayNode shape = o.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            o.put("bytes", t.bytes());
            if (ck.shards().size() > 1) {
                o.put("file", ck.shardOf(t.name()).path().getFileName().toString());
            }
        }
        ObjectNode meta = root.putObject("metadata");
        ck.metadata().forEach(meta::put);
        root.put("total_tensors", tensors.size());
        root.put("total_parameters", totalParams);
        root.put("total_bytes", totalBytes);
        return root.toString();
    }

    private static void printTable(PrintWriter out, ShardedSafetensors ck, List<TensorInfo> tensors, long totalBytes,
                                   long totalParams) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"name", "dtype", "shape", "bytes"});
        for (TensorInfo t : tensors) {
            rows.add(new String[] {t.name(), t.dtype(), Arrays.toString(t.shape()), Long.toString(t.bytes())});
        }
        int[] width = new int[4];
        for (String[] r : rows) {
            for (int i = 0; i < 4; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        String fmt = "%-" + width[0] + "s  %-" + width[1] + "s  %-" + width[2] + "s  %" + width[3] + "s%n";
        for (String[] r : rows) {
            out.printf(fmt, (Object[]) r);
        }
        if (!ck.metadata().isEmpty()) {
            out.println();
            out.println("metadata:");
            ck.metadata().forEach((k, v) -> out.println("  " + k + " = " + v));
        }
        out.println();
        out.printf("total: %d tensors, %d parameters, %d bytes (%s) in %d file%s%n", tensors.size(), totalParams,
                totalBytes, DiskSpace.human(totalBytes), ck.shards().size(), ck.shards().size() == 1 ? "" : "s");
    }
}
