package org.wegeft.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigFieldsTest {
    /** The test's own exception, to see that the caller's factory is what raises. */
    static final class BadField extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadField(String source, String key, String problem) {
            super(source + " | " + key + " | " + problem);
        }
    }

    private static ConfigFields fields(String json, ConfigFields.Wording wording) throws Exception {
        JsonNode root = new ObjectMapper().readTree(json);
        return new ConfigFields("cfg.json", root, BadField::new, wording);
    }

    @Test
    void absentOrNullKeysGiveTheDefaults() throws Exception {
        ConfigFields f = fields("{\"n\": null}", ConfigFields.Wording.MUST_BE);
        assertEquals(7, f.integer("n", 7));
        assertEquals(7, f.wholeNumber("missing", 7));
        assertEquals(2.5, f.number("n", 2.5));
        assertEquals(true, f.bool("n", true));
        assertEquals("d", f.string("n", "d"));
        assertEquals(List.of(1.0), f.numbers("n", List.of(1.0)));
        assertEquals(List.of(), f.strings("n"));
        assertEquals(List.of(), f.stringOrStrings("n"));
        assertEquals(null, f.optionalInt("n"));
    }

    @Test
    void presentValuesAreRead() throws Exception {
        ConfigFields f = fields("{\"i\": 3, \"w\": 224.0, \"x\": 1e-6, \"b\": false, \"s\": \"gelu\", "
                + "\"xs\": [1, 2.5], \"ss\": [\"a\", \"b\"]}", ConfigFields.Wording.MUST_BE);
        assertEquals(3, f.integer("i"));
        assertEquals(224, f.wholeNumber("w", 0));
        assertEquals(1e-6, f.requiredNumber("x", "x"));
        assertEquals(false, f.bool("b", true));
        assertEquals("gelu", f.string("s"));
        assertEquals(List.of(1.0, 2.5), f.numbers("xs", List.of()));
        assertEquals(List.of("a", "b"), f.strings("ss"));
        assertEquals(List.of("gelu"), f.stringOrStrings("s"));
        assertEquals(3, f.optionalInt("i"));
    }

    @ParameterizedTest(name = "{0} {1} on {2}")
    @CsvSource(delimiter = '|', value = {
        "MUST_BE  | integer       | {\"k\": 1.5}          | cfg.json | k | must be an integer, got 1.5",
        "EXPECTED | integer       | {\"k\": 1.5}          | cfg.json | k | expected an integer, got 1.5",
        "MUST_BE  | integer       | {\"k\": 3000000000}   | cfg.json | k | must be an integer, got 3000000000",
        "MUST_BE  | wholeNumber   | {\"k\": 224.5}        | cfg.json | k | must be an integer, got 224.5",
        "MUST_BE  | required      | {}                    | cfg.json | k | is missing",
        "EXPECTED | required      | {}                    | cfg.json | k | missing",
        "MUST_BE  | number        | {\"k\": \"x\"}        | cfg.json | k | must be a number, got \"x\"",
        "MUST_BE  | requiredNamed | {}                    | cfg.json | outer.k | is missing",
        "EXPECTED | bool          | {\"k\": 1}            | cfg.json | k | expected true or false, got 1",
        "MUST_BE  | string        | {\"k\": 1}            | cfg.json | k | must be a string, got 1",
        "MUST_BE  | numbers       | {\"k\": [1, \"a\"]}   | cfg.json | k | must be a list of numbers, got [1,\"a\"]",
        "MUST_BE  | strings       | {\"k\": \"a\"}        | cfg.json | k | must be a list of strings, got \"a\"",
        "EXPECTED | stringOrList  | {\"k\": [\"a\", 2]}   | cfg.json | k | expected a list of strings, got [\"a\",2]",
    })
    void badValuesRaiseTheCallersExceptionNamingSourceAndKey(ConfigFields.Wording wording, String getter,
            String json, String source, String key, String problem) throws Exception {
        ConfigFields f = fields(json, wording);
        Consumer<ConfigFields> call = switch (getter) {
            case "integer" -> c -> c.integer("k", 0);
            case "wholeNumber" -> c -> c.wholeNumber("k", 0);
            case "required" -> c -> c.integer("k");
            case "number" -> c -> c.number("k", 0.0);
            case "requiredNamed" -> c -> c.requiredNumber("k", "outer.k");
            case "bool" -> c -> c.bool("k", false);
            case "string" -> c -> c.string("k", "");
            case "numbers" -> c -> c.numbers("k", List.of());
            case "strings" -> c -> c.strings("k");
            case "stringOrList" -> c -> c.stringOrStrings("k");
            default -> throw new IllegalArgumentException(getter);
        };
        BadField e = assertThrows(BadField.class, () -> call.accept(f));
        assertEquals(source + " | " + key + " | " + problem, e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "[1, 2]      | is not a JSON object",
        "{\"a\": 1,  | cannot be read as JSON"})
    void readRejectsAFileThatIsNotOneJsonObjectNamingTheFile(String text, String problem, @TempDir Path dir)
            throws Exception {
        Path file = Files.writeString(dir.resolve("config.json"), text);
        BadField e = assertThrows(BadField.class,
                () -> ConfigFields.read(file, BadField::new, ConfigFields.Wording.MUST_BE));
        assertEquals(true, e.getMessage().startsWith(file + " | (file) | " + problem), e.getMessage());
    }

    @Test
    void readGivesTheFieldsOfTheFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("config.json"), "{\"n\": 3}");
        ConfigFields f = ConfigFields.read(file, BadField::new, ConfigFields.Wording.MUST_BE);
        assertEquals(3, f.integer("n", 0));
        assertEquals(file.toString(), f.source());
    }
}
