package org.wegeft.cli.vit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.wegeft.vision.train.FineTuneResult;

/** results.json rows: written and read back whole; a row written before tensor memory was recorded still reads. */
class ResultsFileTest {
    private static final FineTuneResult R = new FineTuneResult("wegeft", 4042, 619412, 0.9632, 797, 21.5, 258.5,
            5e-2, 320, 930.2, 1, 57.9, 30.68);

    @Test
    void aRowReadsBackAsWritten() {
        assertEquals(R, ResultsFile.fromJson(ResultsFile.toJson(R), "test"));
    }

    @Test
    void aRowWithoutTensorMemoryReadsAsUnknown() {
        ObjectNode o = ResultsFile.toJson(R);
        o.remove("peak_tensor_mb");
        assertEquals(-1, ResultsFile.fromJson(o, "old.json").peakTensorMb());
        assertEquals(R.peakMemoryMb(), ResultsFile.fromJson(o, "old.json").peakMemoryMb());
    }

    @Test
    void aTensorMemoryThatIsNotANumberNamesTheKeyAndTheFile() {
        ObjectNode o = ResultsFile.toJson(R);
        o.put("peak_tensor_mb", "lots");
        var e = assertThrows(IllegalArgumentException.class, () -> ResultsFile.fromJson(o, "results.json"));
        assertEquals("results.json: result's 'peak_tensor_mb' is not a number: \"lots\"", e.getMessage());
    }

    @Test
    void aRowWithoutARequiredKeyNamesTheKeyAndTheFile() {
        ObjectNode o = ResultsFile.toJson(R);
        o.remove("median_step_ms");
        var e = assertThrows(IllegalArgumentException.class, () -> ResultsFile.fromJson(o, "results.json"));
        assertEquals("results.json: result has no 'median_step_ms'", e.getMessage());
    }
}
