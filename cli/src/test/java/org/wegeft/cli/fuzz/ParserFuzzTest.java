package org.wegeft.cli.fuzz;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.wegeft.llm.DecoderConfig;
import org.wegeft.llm.DecoderConfigException;
import org.wegeft.llm.chat.ChatMessage;
import org.wegeft.llm.chat.ChatTemplate;
import org.wegeft.llm.chat.ChatTemplateException;
import org.wegeft.llm.data.DataColumns;
import org.wegeft.llm.data.DataFiles;
import org.wegeft.llm.data.DataFormatException;
import org.wegeft.llm.tokenizer.HfTokenizer;
import org.wegeft.llm.tokenizer.TokenizerException;
import org.wegeft.nn.data.ArrowDataset;
import org.wegeft.nn.data.ColumnSpec;
import org.wegeft.nn.data.DatasetException;
import org.wegeft.peft.AdapterConfig;
import org.wegeft.peft.AdapterConfigException;
import org.wegeft.tensor.SafetensorsException;
import org.wegeft.tensor.SafetensorsFile;
import org.wegeft.tensor.TensorInfo;
import org.wegeft.vision.VitConfig;
import org.wegeft.vision.VitConfigException;

/**
 * Seeded mutational fuzzing of every file parser: each mutated input must either parse or raise the parser's
 * typed exception, never another exception, an {@link Error} (out of memory above all) or a hang (each input
 * runs under a time limit). {@code -Dwegeft.fuzz.iterations=N} (default 5,000 per parser) and
 * {@code -Dwegeft.fuzz.seed=S} set the run; a failing input is written to {@code target/fuzz-failures/}
 * (and the input being parsed is always {@code target/fuzz-work/<parser>/}, so a JVM crash leaves it there).
 *
 * <pre>
 *   ./mvnw -pl examples -am test -Dtest=ParserFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
 *       -Dwegeft.fuzz.iterations=100000
 * </pre>
 */
class ParserFuzzTest {
    private static final int ITERATIONS = Integer.getInteger("wegeft.fuzz.iterations", 5_000);
    private static final long SEED = Long.getLong("wegeft.fuzz.seed", 20250101L);
    private static final long TIMEOUT_MS = 10_000;
    /** The parsing thread; recreated after {@link #stopWorker()} because JazzerParserFuzzTest shares it. */
    private static ExecutorService worker;

    private static synchronized ExecutorService worker() {
        if (worker == null || worker.isShutdown()) {
            worker = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "fuzz-worker");
                t.setDaemon(true);
                return t;
            });
        }
        return worker;
    }

    /** Inputs are written here (not to a temporary folder) so that the one a JVM crash interrupted stays. */
    private static final Path WORK = Path.of("target", "fuzz-work");

    /** One parser: its file name, seeds, the call that parses (and uses) a file, and its typed exceptions. */
    record Target(String name, String fileName, Function<Path, List<byte[]>> seeds, Parse parse,
                  List<Class<? extends Exception>> typed) {
        @Override
        public String toString() {
            return name;
        }
    }

    interface Parse {
        void run(Path file) throws Exception;
    }

    static Stream<Target> targets() {
        return Stream.of(
                new Target("safetensors", "model.safetensors", t -> Seeds.safetensors(), f -> {
                    try (SafetensorsFile sf = SafetensorsFile.open(f)) {
                        sf.metadata();
                        for (TensorInfo info : sf.tensors()) {
                            sf.readBytes(info.name());
                        }
                    }
                }, List.of(SafetensorsException.class)),
                new Target("vit-config", "config.json", t -> Seeds.vitConfigs(), VitConfig::read,
                        List.of(VitConfigException.class)),
                new Target("llama-config", "config.json", t -> Seeds.llamaConfigs(), DecoderConfig::read,
                        List.of(DecoderConfigException.class)),
                new Target("adapter-config", "adapter_config.json", t -> Seeds.adapterConfigs(),
                        AdapterConfig::read, List.of(AdapterConfigException.class)),
                new Target("tokenizer", "tokenizer.json", t -> Seeds.tokenizerFiles(), ParserFuzzTest::tokenizer,
                        List.of(TokenizerException.class)),
                new Target("arrow", "data.arrow", Seeds::arrow, f -> {
                    ArrowDataset d = ArrowDataset.open(f, ColumnSpec.image("pixels"), ColumnSpec.integer("label"),
                            ColumnSpec.string("text"));
                    for (int i = 0; i < d.size(); i++) {
                        d.bytes("pixels", i);
                    }
                }, List.of(DatasetException.class)),
                new Target("parquet", "train.parquet", t -> Seeds.parquet(), f -> {
                    ArrowDataset.columnNames(f);
                    DataFiles.read(f, new DataColumns("messages", "body"));
                }, List.of(DataFormatException.class, DatasetException.class)),
                new Target("jsonl", "train.jsonl", t -> Seeds.jsonl(), DataFiles::read,
                        List.of(DataFormatException.class)),
                new Target("chat-template", "chat_template.jinja", t -> Seeds.chatTemplates(), f -> ChatTemplate
                        .fromModel(f.getParent()).render(List.of(new ChatMessage("system", "s"),
                                new ChatMessage("user", "u"), new ChatMessage("assistant", "<think>t</think>a")), true),
                        List.of(ChatTemplateException.class)),
                new Target("json-array", "alpaca_data.json", t -> Seeds.jsonArrays(), DataFiles::read,
                        List.of(DataFormatException.class)),
                new Target("saved-state", "state.json", t -> Seeds.savedDataset(t, "dataset_info.json",
                        Seeds.SAVED_INFO, Seeds.SAVED_STATE), ParserFuzzTest::savedDataset,
                        List.of(DatasetException.class)),
                new Target("saved-info", "dataset_info.json", t -> Seeds.savedDataset(t, "state.json",
                        Seeds.SAVED_STATE, Seeds.SAVED_INFO), ParserFuzzTest::savedDataset,
                        List.of(DatasetException.class)));
    }

    /** The folder of a save_to_disk file: its rows and class names read. */
    private static void savedDataset(Path file) {
        ArrowDataset d = ArrowDataset.open(file.getParent(), ColumnSpec.string("text"), ColumnSpec.integer("label"));
        for (int i = 0; i < d.size(); i++) {
            d.string("text", i);
        }
        d.classNames("label");
        d.numClasses("label");
    }

    /**
     * The mutated bytes are a tokenizer.json (beside a valid tokenizer_config.json) or, when they are a
     * mutation of the config seed, a tokenizer_config.json beside a valid tokenizer.json.
     */
    private static void tokenizer(Path file) throws IOException {
        Path dir = file.getParent();
        byte[] b = Files.readAllBytes(file);
        boolean isConfig = new String(b, 0, Math.min(b.length, 400), java.nio.charset.StandardCharsets.UTF_8)
                .contains("bos_token\"");
        if (isConfig) {
            Files.write(dir.resolve("tokenizer_config.json"), b);
            Files.writeString(file, Seeds.TOKENIZER_JSON);
        } else {
            Files.writeString(dir.resolve("tokenizer_config.json"), Seeds.TOKENIZER_CONFIG);
        }
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            int[] ids = tok.encode("hello world abc </s>", true);
            tok.decode(ids, false);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void everyInputParsesOrRaisesTheTypedException(Target target) throws Exception {
        Path dir = Files.createDirectories(WORK.resolve(target.name()));
        List<byte[]> seeds = target.seeds().apply(dir);
        Path file = dir.resolve(target.fileName());
        for (byte[] seed : seeds) { // the seeds themselves are valid: the property is not vacuous
            Files.write(file, seed);
            Throwable t = runOne(target, file);
            if (t != null) {
                fail(target.name() + ": a seed input does not parse: " + t, t);
            }
        }
        Mutator m = new Mutator(SEED ^ target.name().hashCode());
        int parsed = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] input = m.mutate(seeds);
            Files.write(file, input);
            Throwable t = runOne(target, file);
            if (t == null) {
                parsed++;
            } else if (target.typed().stream().noneMatch(c -> c.isInstance(t))) {
                Path saved = Files.createDirectories(Path.of("target", "fuzz-failures"))
                        .resolve(target.name() + "-" + i + "-" + target.fileName());
                Files.write(saved, input);
                StringWriter sw = new StringWriter();
                t.printStackTrace(new PrintWriter(sw));
                fail(target.name() + " input #" + i + " (saved to " + saved + ") raised " + t.getClass().getName()
                        + " instead of " + target.typed() + ":\n" + sw);
            }
        }
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("fuzz %-15s %,d executions in %.1f s (%,.0f/s), %d parsed, %d rejected%n", target.name(),
                ITERATIONS, s, ITERATIONS / s, parsed, ITERATIONS - parsed);
    }

    /** Runs the parser on the worker thread: null when it parsed, else what it threw (a timeout is an error). */
    static Throwable runOne(Target target, Path file) throws InterruptedException {
        Future<?> f = worker().submit(() -> {
            target.parse().run(file);
            return null;
        });
        try {
            f.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            f.cancel(true);
            return new AssertionError("no result within " + TIMEOUT_MS + " ms (a hang)");
        }
    }

    @AfterAll
    static synchronized void stopWorker() {
        if (worker != null) {
            worker.shutdownNow();
        }
    }
}
