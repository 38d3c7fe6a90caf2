package org.wegeft.peft;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * A recipe's learning rate per fine-tuning method, chosen on held-out training data and recorded in a properties file
 * on the class path ({@code <method name>=<rate>}).
 */
public final class LearningRates {
    private final Properties rates;
    private final String resource;
    private final String howToChoose;

    /**
     * Reads {@code resource} next to {@code anchor}.
     * @param howToChoose the command that chooses a missing rate, for the error message
     */
    public LearningRates(Class<?> anchor, String resource, String howToChoose) {
        this.resource = resource;
        this.howToChoose = howToChoose;
        this.rates = read(anchor, resource);
    }

    /**
     * A recipe's properties file {@code resource} next to {@code anchor} on the class path.
     * @throws IllegalStateException when it is missing
     */
    public static Properties read(Class<?> anchor, String resource) {
        Properties p = new Properties();
        try (InputStream in = anchor.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the class path");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /**
     * The rate recorded for {@code m}.
     * @throws IllegalArgumentException for a method with no recorded rate, naming the file and how to choose one
     */
    public double of(FineTuningMethod m) {
        String v = rates.getProperty(m.name());
        if (v == null) {
            throw new IllegalArgumentException("no learning rate is recorded for method '" + m.name() + "' in "
                    + resource + "; give one (--lr), or choose one with " + howToChoose);
        }
        return Double.parseDouble(v);
    }
}
