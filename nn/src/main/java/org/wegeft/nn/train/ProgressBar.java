package org.wegeft.nn.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line training progress display: step/total, a bar, loss, lr, throughput and ETA. On a terminal the line
 * is redrawn in place with a carriage return; otherwise (logs, CI) one line is printed per update.
 */
public final class ProgressBar {
    private static final int WIDTH = 24;
    private final PrintStream out;
    private final boolean inPlace;
    private final long total;
    private final long startNanos = System.nanoTime();

    public ProgressBar(PrintStream out, boolean inPlace, long total) {
        this.out = out;
        this.inPlace = inPlace;
        this.total = total;
    }

    /** On stderr, in place when the JVM has a console. */
    public static ProgressBar stderr(long total) {
        return new ProgressBar(System.err, System.console() != null, total);
    }

    public void update(long step, double loss, double lr, long samples) {
        double secs = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
        out.print((inPlace ? "\r" : "") + line(step, total, loss, lr, step / secs, samples / secs,
                secs / Math.max(1, step) * (total - step)) + (inPlace ? "" : System.lineSeparator()));
        out.flush();
    }

    /** Ends the in-place line. */
    public void finish() {
        if (inPlace) {
            out.println();
        }
    }

    static String line(long step, long total, double loss, double lr, double stepsPerSec, double samplesPerSec,
                       double etaSecs) {
        int filled = (int) (WIDTH * Math.min(1.0, (double) step / Math.max(1, total)));
        long eta = Math.round(etaSecs);
        return String.format(Locale.ROOT, "step %d/%d [%s%s] loss %.4f lr %.2e %.2f steps/s %.1f samples/s ETA %d:%02d",
                step, total, "#".repeat(filled), ".".repeat(WIDTH - filled), loss, lr, stepsPerSec, samplesPerSec,
                eta / 60, eta % 60);
    }
}
