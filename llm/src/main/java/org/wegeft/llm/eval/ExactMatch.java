package org.wegeft.llm.eval;

import java.util.List;
import java.util.Locale;

/** Exact match of generated answers after normalisation: trimmed, lower-cased, whitespace runs as one space. */
public final class ExactMatch {
    private ExactMatch() {
    }

    public static String normalize(String s) {
        return s.strip().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
    }

    public static boolean matches(String prediction, String reference) {
        return normalize(prediction).equals(normalize(reference));
    }

    /** Fraction of predictions that match their reference. */
    public static double score(List<String> predictions, List<String> references) {
        if (predictions.size() != references.size() || predictions.isEmpty()) {
            throw new IllegalArgumentException("exact match needs as many predictions as references (≥ 1), got "
                    + predictions.size() + " and " + references.size());
        }
        int hits = 0;
        for (int i = 0; i < predictions.size(); i++) {
            if (matches(predictions.get(i), references.get(i))) {
                hits++;
            }
        }
        return hits / (double) predictions.size();
    }
}
