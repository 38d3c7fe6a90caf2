package org.wegeft.cli.perf;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.wegeft.cli.FlagCheck;
import org.wegeft.kernels.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code wegeft bench make-model}: writes a Hugging Face model folder with random weights at a benchmark language
 * model's shapes ({@link RandomLlamaFolder}), for real-size runs of {@code llm train} and {@code llm generate};
 * prints one JSON line (files, parameters, bytes, seconds).
 */
@Command(name = "make-model", mixinStandardHelpOptions = true,
        description = "Writes a Hugging Face model folder (config.json, sharded safetensors) with random weights at "
                + "a benchmark language model's shapes (llama-tiny, llama-1b, llama-8b); prints one JSON line.")
public final class BenchMakeModelCommand implements Callable<Integer> {
    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "llama-tiny|llama-1b|llama-8b")
    String model = "";

    @Option(names = "--dtype", defaultValue = "bf16", paramLabel = "f32|bf16",
            description = "dtype of the stored weights (default: ${DEFAULT-VALUE}, as Hugging Face checkpoints)")
    String dtype = "bf16";

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder (must not exist or be "
            + "empty)")
    @SuppressWarnings("NullAway.Init")
    Path out;

    @Option(names = "--shards", defaultValue = "3", paramLabel = "N",
            description = "safetensors files, with model.safetensors.index.json; 1 writes model.safetensors "
                    + "(default: ${DEFAULT-VALUE})")
    int shards = 3;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S",
            description = "initialisation seed, as bench train's (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--tokenizer-from", paramLabel = "DIR", description = "copy tokenizer.json, tokenizer_config.json "
            + "and special_tokens_map.json (whichever exist) from this folder, e.g. Llama 3's")
    @Nullable Path tokenizerFrom;

    @Override
    public Integer call() throws IOException {
        FlagCheck.atLeast(spec, "--shards", shards, 1);
        BenchModel m = BenchModel.parse("--model", model);
        if (!m.isLlm()) {
            throw new ParameterException(spec.commandLine(), "--model: make-model writes language models "
                    + "(llama-tiny, llama-1b), not " + m.id());
        }
        DType weights = BenchModel.parseDtype("--dtype", dtype);
        long t0 = System.nanoTime();
        RandomLlamaFolder.Written w = RandomLlamaFolder.write(m.llamaConfig(), weights, shards, seed, tokenizerFrom,
                out);
        ObjectNode o = JsonMapper.builder().build().createObjectNode();
        o.put("bench", "make-model");
        o.put("model", m.id());
        o.put("dtype", BenchModel.dtypeName(weights));
        o.put("seed", seed);
        o.put("out", w.folder().toString());
        ArrayNode files = o.putArray("files");
        w.files().forEach(files::add);
        o.put("parameters", w.parameters());
        o.put("bytes", w.bytes());
        o.put("seconds", TrainBenchRun.round((System.nanoTime() - t0) / 1e9, 2));
        PrintWriter p = spec.commandLine().getOut();
        p.println(o);
        p.flush();
        return 0;
    }
}
