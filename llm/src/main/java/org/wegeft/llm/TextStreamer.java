package org.wegeft.llm;

import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.wegeft.llm.tokenizer.Tokenizer;
import org.wegeft.nn.train.SampleStats;

/**
 * Turns generated token ids into text as they arrive, Hugging Face {@code TextStreamer} style: after each id it
 * decodes everything so far and hands on only the new, complete suffix (a character split across byte-level tokens
 * is held back until its last byte arrives). It also notes when each token came, for the time to the first token
 * and the per-token time after it.
 *
 * <pre>{@code
 * TextStreamer s = new TextStreamer(tok, System.out::print);
 * new Generator(model).generate(promptIds, config, s::accept);
 * s.finish();
 * }</pre>
 */
public final class TextStreamer {
    private final Tokenizer tokenizer;
    private final Consumer<String> sink;
    private int[] ids = new int[16];
    private long[] at = new long[16];       // System.nanoTime() when each token came
    private int n;
    private int printed;

    /** @param sink receives each new piece of text, in order */
    public TextStreamer(Tokenizer tokenizer, Consumer<String> sink) {
        this.tokenizer = tokenizer;
        this.sink = sink;
    }

    /** The generator's callback: one new token id. */
    public void accept(int id) {
        if (n == ids.length) {
            ids = Arrays.copyOf(ids, n * 2);
            at = Arrays.copyOf(at, n * 2);
        }
        at[n] = System.nanoTime();
        ids[n++] = id;
        String text = tokenizer.decode(Arrays.copyOf(ids, n), true);
        if (!text.endsWith("\uFFFD") && text.length() > printed) {
            sink.accept(text.substring(printed));
            printed = text.length();
        }
    }

    /** Hands on whatever text is left (an incomplete last character as the replacement character). */
    public void finish() {
        String text = tokenizer.decode(Arrays.copyOf(ids, n), true);
        if (text.length() > printed) {
            sink.accept(text.substring(printed));
            printed = text.length();
        }
    }

    /** Tokens received. */
    public int tokens() {
        return n;
    }

    /** Seconds from {@code start} (System.nanoTime()) to the first token; NaN before one has come. */
    public double secondsToFirst(long start) {
        return n == 0 ? Double.NaN : (at[0] - start) / 1e9;
    }

    /** The median of the seconds between consecutive tokens (one decoding step each); NaN for fewer than two. */
    public double medianSecondsPerToken() {
        double[] steps = new double[Math.max(0, n - 1)];
        for (int i = 1; i < n; i++) {
            steps[i - 1] = (at[i] - at[i - 1]) / 1e9;
        }
        return SampleStats.of(steps);
    }

    /** The stop ids of a generation: the tokenizer's end-of-sequence ids, then the model config's others. */
    public static List<Integer> eosIds(Tokenizer tokenizer, DecoderConfig config) {
        java.util.LinkedHashSet<Integer> eos = new java.util.LinkedHashSet<>();
        Arrays.stream(tokenizer.specialTokens().eosIds()).forEach(eos::add);
        config.eosTokenIds().forEach(eos::add);
        return List.copyOf(eos);
    }
}
