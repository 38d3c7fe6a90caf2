package org.wegeft.cli.llm;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.wegeft.cli.ModelFolder;
import org.wegeft.llm.data.DataRecord;
import org.wegeft.llm.data.Example;
import org.wegeft.llm.tokenizer.HfTokenizer;
import org.wegeft.llm.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code wegeft llm tokenize --model DIR --data FILE [--template …] [--chat-template FILE] [--train-on …]}: prints
 * one JSON line {@code {"input_ids": [...], "labels": [...]}} per record, exactly what {@code llm train} would see
 * (labels −100 where no token is predicted). Only the tokenizer files of the model folder are read.
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Prints each record's input_ids and labels as training sees them, one JSON line a record.")
final class LlmTokenizeCommand implements Callable<Integer> {
    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Option(names = "--model", converter = ModelFolder.class, required = true, paramLabel = "DIR|ORG/NAME",
            description = "model or tokenizer folder (tokenizer.json, tokenizer_config.json), or a Hub id in the local"
                    + " Hugging Face cache")
    @SuppressWarnings("NullAway.Init")
    Path model;

    @Mixin
    DataOptions data = new DataOptions();

    @Option(names = "--max-length", paramLabel = "N", defaultValue = "512", description = "tokens per record, as"
            + " llm train's (default 512)")
    int maxLength = 512;

    @Override
    public Integer call() throws Exception {
        if (maxLength < 2) {
            throw new ParameterException(spec.commandLine(), "--max-length must be at least 2, got " + maxLength);
        }
        List<DataRecord> records = data.records();
        ObjectMapper json = new ObjectMapper();
        PrintWriter out = spec.commandLine().getOut();
        List<Example> examples;
        try (Tokenizer tok = HfTokenizer.load(model)) {
            examples = data.encoder(model, tok, records, maxLength).encodeAll(records);   // all, before any output
        }
        for (Example e : examples) {
            Map<String, int[]> line = new LinkedHashMap<>();
            line.put("input_ids", e.ids());
            line.put("labels", e.labels());
            out.println(json.writeValueAsString(line));
        }
        out.flush();
        return 0;
    }
}
