package org.wegeft.vision.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ClassificationTest {
    @Test
    void countsRowsWhoseArgMaxIsTheLabel() {
        float[] logits = {
            0.1f, 0.9f, 0.0f,   // → 1
            2.0f, 1.0f, 3.0f,   // → 2
            5.0f, 5.0f, 1.0f,   // tie: first maximum → 0
            -1f, -2f, -0.5f};   // → 2
        assertEquals(3, Classification.countCorrect(logits, new int[] {1, 2, 0, 0}, 3));
        assertEquals(0, Classification.countCorrect(logits, new int[] {0, 0, 1, 1}, 3));
    }

    @Test
    void accuracyIsCorrectOverCount() {
        assertEquals(0.75, new Accuracy(3, 4).accuracy());
        assertEquals(0.0, new Accuracy(0, 0).accuracy());
        assertThrows(IllegalArgumentException.class, () -> new Accuracy(5, 4));
    }
}
