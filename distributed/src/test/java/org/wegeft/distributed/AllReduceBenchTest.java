package org.wegeft.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AllReduceBenchTest {
    /** 4 M floats between 2 local replicas: prints the median, and holds it under 20 ms. */
    @Test
    void fourMillionFloatsBetweenTwoReplicasTakeUnderTwentyMsMedian() throws Exception {
        AllReduceBench.Timing t = AllReduceBench.run(4 << 20, 2, 3, 15);
        System.out.printf("all-reduce of %d floats, 2 replicas: median %.2f ms (min %.2f, max %.2f), %.2f GB/s%n",
                t.floats(), t.medianMs(), t.minMs(), t.maxMs(), t.busGbPerS());
        assertEquals(15, t.repetitions());
        assertTrue(t.minMs() <= t.medianMs() && t.medianMs() <= t.maxMs());
        assertTrue(t.medianMs() <= 20, "median " + t.medianMs() + " ms");
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> AllReduceBench.run(10, 1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> AllReduceBench.run(0, 2, 0, 1));
    }
}
