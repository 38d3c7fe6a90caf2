package org.wegeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Every registered {@code wegeft} command, found by walking the picocli tree, rejects an unknown flag, a
 * non-numeric value of each numeric option and an out-of-range value (per the table below) with status 2,
 * one line {@code wegeft <command>: …} naming the flag, and no stack trace — before doing any real work
 * (required files point to paths that do not exist, so a command that reads them first fails on the file
 * instead, and the message does not name the flag).
 */
class EveryCommandRejectsBadInputTest {
    private static final Path ABSENT = absentDir();

    /** Out-of-range value of each numeric option, keyed by "qualified command name + space + flag". */
    private static final Map<String, String> OUT_OF_RANGE = Map.ofEntries(
            Map.entry("wegeft bench gemm --n", "0"),
            Map.entry("wegeft bench train --batch", "0"),
            Map.entry("wegeft bench train --seq", "1"),
            Map.entry("wegeft bench train --steps", "0"),
            Map.entry("wegeft bench train --warmup", "-1"),
            Map.entry("wegeft bench train --rank", "0"),
            Map.entry("wegeft bench train --grad-accumulation", "0"),
            Map.entry("wegeft bench train --gemm-n", "-1"),
            Map.entry("wegeft bench train --dropout", "1"),
            Map.entry("wegeft bench train --replicas", "0"),
            Map.entry("wegeft bench train --bucket-mb", "-1"),
            Map.entry("wegeft bench make-model --shards", "0"),
            Map.entry("wegeft bench forward --batch", "0"),
            Map.entry("wegeft bench forward --seq", "1"),
            Map.entry("wegeft bench forward --rank", "0"),
            Map.entry("wegeft bench forward --rounds", "0"),
            Map.entry("wegeft bench forward --runs", "0"),
            Map.entry("wegeft bench forward --warmup", "-1"),
            Map.entry("wegeft bench allreduce --floats", "0"),
            Map.entry("wegeft bench allreduce --replicas", "1"),
            Map.entry("wegeft bench allreduce --reps", "0"),
            Map.entry("wegeft bench allreduce --warmup", "-1"),
            Map.entry("wegeft bench gemm --warmup", "-1"),
            Map.entry("wegeft bench gemm --warmup-seconds", "-1"),
            Map.entry("wegeft bench gemm --runs", "0"),
            Map.entry("wegeft bench soak --steps", "0"),
            Map.entry("wegeft bench soak --sample-every", "0"),
            Map.entry("wegeft bench soak --batch", "0"),
            Map.entry("wegeft bench soak --dim", "48"),
            Map.entry("wegeft bench soak --depth", "0"),
            Map.entry("wegeft bench soak --checkpoint-every", "0"),
            Map.entry("wegeft bench soak --seq", "4"),
            Map.entry("wegeft llm generate --max-new-tokens", "-1"),
            Map.entry("wegeft llm generate --temperature", "-0.5"),
            Map.entry("wegeft llm generate --top-k", "-1"),
            Map.entry("wegeft llm generate --top-p", "1.5"),
            Map.entry("wegeft llm perplexity --max-length", "1"),
            Map.entry("wegeft llm tokenize --max-length", "1"),
            Map.entry("wegeft llm perplexity --batch", "0"),
            Map.entry("wegeft llm train --rank", "0"),
            Map.entry("wegeft llm train --alpha", "-2"),
            Map.entry("wegeft llm train --dropout", "1"),
            Map.entry("wegeft llm train --epochs", "0"),
            Map.entry("wegeft llm train --steps", "-1"),
            Map.entry("wegeft llm train --lr", "0"),
            Map.entry("wegeft llm train --warmup", "-1"),
            Map.entry("wegeft llm train --batch", "0"),
            Map.entry("wegeft llm train --max-length", "1"),
            Map.entry("wegeft llm train --log-every", "0"),
            Map.entry("wegeft llm train --checkpoint-every", "-1"),
            Map.entry("wegeft llm train --replicas", "-1"),
            Map.entry("wegeft demo vit --epochs", "0"),
            Map.entry("wegeft demo vit --max-steps", "-1"),
            Map.entry("wegeft demo vit --batch", "0"),
            Map.entry("wegeft demo vit --rank", "0"),
            Map.entry("wegeft demo vit --workers", "-1"),
            Map.entry("wegeft demo vit --held-out", "0"),
            Map.entry("wegeft demo vit --seeds", "0"),
            Map.entry("wegeft demo llm --train-size", "0"),
            Map.entry("wegeft demo llm --test-size", "0"),
            Map.entry("wegeft demo llm --steps", "0"),
            Map.entry("wegeft demo llm --batch", "0"),
            Map.entry("wegeft demo llm --lr", "0"),
            Map.entry("wegeft demo llm --rank", "0"),
            Map.entry("wegeft demo llm --seeds", "0"),
            Map.entry("wegeft demo llm --held-out", "0"),
            Map.entry("wegeft llm pretrain --hidden", "1"),
            Map.entry("wegeft llm pretrain --intermediate", "0"),
            Map.entry("wegeft llm pretrain --layers", "0"),
            Map.entry("wegeft llm pretrain --heads", "0"),
            Map.entry("wegeft llm pretrain --kv-heads", "0"),
            Map.entry("wegeft llm pretrain --seq", "1"),
            Map.entry("wegeft llm pretrain --batch", "0"),
            Map.entry("wegeft llm pretrain --steps", "0"),
            Map.entry("wegeft llm pretrain --lr", "-3e-3"),
            Map.entry("wegeft llm pretrain --warmup", "-1"),
            Map.entry("wegeft llm pretrain --weight-decay", "-0.1"),
            Map.entry("wegeft llm pretrain --heldout", "0.5"),
            Map.entry("wegeft llm pretrain --log-every", "0"),
            Map.entry("wegeft bench data-vs-train --batch", "0"),
            Map.entry("wegeft bench data-vs-train --workers", "-1"),
            Map.entry("wegeft bench data-vs-train --load-epochs", "0"),
            Map.entry("wegeft bench data-vs-train --train-steps", "0"),
            Map.entry("wegeft bench llm-memory --batch", "0"),
            Map.entry("wegeft bench llm-memory --seq", "1"),
            Map.entry("wegeft bench llm-memory --steps", "0"),
            Map.entry("wegeft bench llm-memory --vocab", "1"),
            Map.entry("wegeft bench llm-memory --hidden", "1"),
            Map.entry("wegeft bench llm-memory --layers", "0"),
            Map.entry("wegeft bench llm-memory --heads", "0"),
            Map.entry("wegeft bench llm-memory --intermediate", "0"),
            Map.entry("wegeft bench llm-memory --rank", "0"),
            Map.entry("wegeft vit predict --top", "0"),
            Map.entry("wegeft vit pretrain --epochs", "0"),
            Map.entry("wegeft vit pretrain --steps", "-1"),
            Map.entry("wegeft vit pretrain --batch", "0"),
            Map.entry("wegeft vit pretrain --lr", "0"),
            Map.entry("wegeft vit pretrain --weight-decay", "-0.05"),
            Map.entry("wegeft vit pretrain --warmup", "1"),
            Map.entry("wegeft vit pretrain --label-smoothing", "1"),
            Map.entry("wegeft vit pretrain --img", "0"),
            Map.entry("wegeft vit pretrain --patch", "0"),
            Map.entry("wegeft vit pretrain --width", "0"),
            Map.entry("wegeft vit pretrain --depth", "0"),
            Map.entry("wegeft vit pretrain --heads", "0"),
            Map.entry("wegeft vit pretrain --mlp-ratio", "0"),
            Map.entry("wegeft vit pretrain --workers", "-1"),
            Map.entry("wegeft vit train --rank", "0"),
            Map.entry("wegeft vit train --replicas", "-1"),
            Map.entry("wegeft vit train --epochs", "0"),
            Map.entry("wegeft vit train --steps", "-1"),
            Map.entry("wegeft vit train --lr", "-0.01"),
            Map.entry("wegeft vit train --batch", "0"),
            Map.entry("wegeft vit train --workers", "-1"),
            Map.entry("wegeft vit train --checkpoint-every", "-1"),
            Map.entry("wegeft vit eval --batch", "0"));

    /** Numeric options that accept every value of their type, with the reason. */
    private static final Map<String, String> ANY_VALUE = Map.ofEntries(
            Map.entry("wegeft bench soak --seed", "every long is a seed"),
            Map.entry("wegeft bench train --seed", "every long is a seed"),
            Map.entry("wegeft bench make-model --seed", "every long is a seed"),
            Map.entry("wegeft llm generate --seed", "every long is a seed"),
            Map.entry("wegeft llm train --seed", "every long is a seed"),
            Map.entry("wegeft demo vit --seed", "every long is a seed"),
            Map.entry("wegeft demo llm --seed", "every long is a seed"),
            Map.entry("wegeft llm pretrain --seed", "every long is a seed"),
            Map.entry("wegeft vit pretrain --seed", "every long is a seed"),
            Map.entry("wegeft vit train --seed", "every long is a seed"));

    private static Path absentDir() {
        try {
            Path d = Files.createTempDirectory("wegeft-bad-input");
            d.toFile().deleteOnExit();
            return d.resolve("absent");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Result(int status, String out, String err) {
    }

    static Result run(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = WegeftCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(args.toArray(String[]::new));
        return new Result(status, out.toString(), err.toString());
    }

    /** Every command of the tree, parents before children. */
    static List<CommandLine> commands() {
        List<CommandLine> all = new ArrayList<>();
        walk(WegeftCli.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())), all);
        return all;
    }

    private static void walk(CommandLine c, List<CommandLine> all) {
        all.add(c);
        Set<CommandLine> seen = new LinkedHashSet<>(c.getSubcommands().values()); // aliases map to one command
        seen.forEach(s -> walk(s, all));
    }

    private static List<String> path(CommandSpec spec) {
        List<String> names = new ArrayList<>(List.of(spec.qualifiedName().split(" ")));
        return names.subList(1, names.size());
    }

    private static boolean numeric(ArgSpec a) {
        Class<?> t = a.type();
        return t == int.class || t == long.class || t == short.class || t == byte.class || t == float.class
                || t == double.class || Number.class.isAssignableFrom(t);
    }

    private static boolean floating(ArgSpec a) {
        Class<?> t = a.type();
        return t == float.class || t == double.class || t == Float.class || t == Double.class;
    }

    /** Valid-looking values for the required options and positionals, leaving {@code except} out. */
    private static List<String> requiredArgs(CommandSpec spec, String except) {
        List<String> args = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            if (o.required() && !o.longestName().equals(except)) {
                args.add(o.longestName());
                args.add(filler(o, o.longestName()));
            }
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.required()) {
                args.add(filler(p, p.paramLabel()));
            }
        }
        return args;
    }

    private static String filler(ArgSpec a, String name) {
        if (numeric(a)) {
            return "8";
        }
        if (a.type() == Path.class || a.type() == java.io.File.class) {
            return ABSENT.resolve(name.replaceAll("[^A-Za-z0-9]", "") + ".missing").toString();
        }
        return "x";
    }

    static Stream<Arguments> unknownFlagCases() {
        return commands().stream().map(c -> Arguments.of(c.getCommandSpec().qualifiedName(), c.getCommandSpec()));
    }

    static Stream<Arguments> badValueCases() {
        List<Arguments> cases = new ArrayList<>();
        for (CommandLine c : commands()) {
            CommandSpec spec = c.getCommandSpec();
            for (OptionSpec o : spec.options()) {
                if (!numeric(o)) {
                    continue;
                }
                String key = spec.qualifiedName() + " " + o.longestName();
                cases.add(Arguments.of(key + " abc", spec, o.longestName(), "abc"));
                if (floating(o) && !ANY_VALUE.containsKey(key)) {
                    cases.add(Arguments.of(key + " NaN", spec, o.longestName(), "NaN"));
                }
                cases.add(Arguments.of(key + " out of range", spec, o.longestName(), null));
            }
        }
        return cases.stream();
    }

    private static void assertRejected(Result r, String command, String flag) {
        assertEquals(2, r.status(), "status; stderr: " + r.err() + " stdout: " + r.out());
        List<String> lines = r.err().lines().toList();
        assertFalse(lines.isEmpty(), "no message on stderr");
        assertTrue(lines.getFirst().startsWith(command + ":"), "first line must name '" + command + "': " + r.err());
        assertTrue(lines.getFirst().contains(flag), "first line must name " + flag + ": " + r.err());
        for (String l : lines) {
            assertFalse(l.startsWith("\tat ") || l.contains("Exception in thread"), "stack trace: " + r.err());
        }
    }

    @ParameterizedTest(name = "{0} --no-such-flag")
    @MethodSource("unknownFlagCases")
    void unknownFlagIsRejected(String name, CommandSpec spec) {
        List<String> args = new ArrayList<>(path(spec));
        args.addAll(requiredArgs(spec, ""));
        args.add("--no-such-flag");
        // JMH (bench jmh) names an unknown option without its dashes
        assertRejected(run(args), name, "no-such-flag");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValueCases")
    void badNumericValueIsRejected(String name, CommandSpec spec, String flag, String value) {
        String key = spec.qualifiedName() + " " + flag;
        String v = value;
        if (v == null) {
            String reason = ANY_VALUE.get(key);
            if (reason != null) {
                System.out.println("skipped out-of-range case for " + key + ": " + reason);
                return;
            }
            v = OUT_OF_RANGE.get(key);
            if (v == null) {
                fail("numeric option " + key + " is in neither OUT_OF_RANGE nor ANY_VALUE: decide what it accepts");
            }
        }
        List<String> args = new ArrayList<>(path(spec));
        args.addAll(requiredArgs(spec, flag));
        args.add(flag);
        args.add(v);
        assertRejected(run(args), spec.qualifiedName(), flag);
    }

    @Test
    void tablesNameOnlyExistingOptions() {
        Set<String> numeric = new LinkedHashSet<>();
        for (CommandLine c : commands()) {
            for (OptionSpec o : c.getCommandSpec().options()) {
                if (numeric(o)) {
                    numeric.add(c.getCommandSpec().qualifiedName() + " " + o.longestName());
                }
            }
        }
        Set<String> listed = new LinkedHashSet<>(OUT_OF_RANGE.keySet());
        listed.addAll(ANY_VALUE.keySet());
        listed.removeAll(numeric);
        assertEquals(Set.of(), listed, "table entries for options that are gone or not numeric");
        assertTrue(commands().size() >= 10, "the walk found " + commands().size() + " commands");
    }
}
