package org.wegeft.vision.train;

/** Top-1 accuracy: {@code correct} of {@code count} samples. */
public record Accuracy(long correct, long count) {
    public Accuracy {
        if (correct < 0 || count < 0 || correct > count) {
            throw new IllegalArgumentException("accuracy needs 0 <= correct <= count, got " + correct + "/" + count);
        }
    }

    /** correct / count (0 for no samples). */
    public double accuracy() {
        return count == 0 ? 0 : (double) correct / count;
    }

    /** Accuracy in percent. */
    public double percent() {
        return 100 * accuracy();
    }
}
