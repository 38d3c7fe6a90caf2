package org.wegeft.llm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.wegeft.llm.tokenizer.HfTokenizer;

class ExampleEncoderTest {
    static HfTokenizer tok;

    @BeforeAll
    static void load() {
        tok = HfTokenizer.load(Path.of("src/test/resources/tokenizer/kjv"));
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    @Test
    void instructionMasksThePromptAndEndsWithEos() {
        var enc = ExampleEncoder.of(tok, 512);
        Example e = enc.encode(new DataRecord.Instruction("Add 2 and 3.", "", "The answer is 5"));
        int[] prompt = enc.promptIds("Add 2 and 3.", "");
        int[] answer = tok.encode("The answer is 5", false);
        int[] ids = e.ids();
        int[] labels = e.labels();
        assertEquals(prompt.length + answer.length + 1, ids.length);
        assertArrayEquals(prompt, Arrays.copyOf(ids, prompt.length));
        assertEquals(tok.bosId(), ids[0]);
        assertEquals(tok.eosId(), ids[ids.length - 1]);
        for (int t = 0; t < ids.length; t++) {
            assertEquals(t < prompt.length ? Example.IGNORE : ids[t], labels[t], "position " + t);
        }
        assertEquals(answer.length + 1, e.predictedTokens());
        String text = tok.decode(ids, true);
        assertTrue(text.startsWith("Below is an instruction that describes a task. Write"), text);
        assertTrue(text.endsWith("### Instruction:\nAdd 2 and 3.\n\n### Response:\nThe answer is 5"), text);
    }

    @Test
    void inputSelectsTheTemplateWithInput() {
        String p = PromptTemplate.ALPACA.prompt("Translate {input}", "Haus");
        assertTrue(p.contains("### Instruction:\nTranslate {input}\n\n### Input:\nHaus\n\n### Response:\n"), p);
        assertEquals("Say hi\n", PromptTemplate.PLAIN.prompt("Say hi", ""));
        assertThrows(IllegalArgumentException.class, () -> new PromptTemplate("{instruction}", "{instruction}"));
    }

    @Test
    void trainOnPromptKeepsEveryLabel() {
        var enc = new ExampleEncoder(tok, PromptTemplate.PLAIN, 512, true, false, null, null);
        Example e = enc.encode(new DataRecord.Instruction("Q", "", "A"));
        assertArrayEquals(e.ids(), e.labels());
    }

    @Test
    void truncationKeepsTheStart() {
        var enc = ExampleEncoder.of(tok, 8);
        Example full = ExampleEncoder.of(tok, 4096).encode(new DataRecord.Text("In the beginning God created the"
                + " heaven and the earth. And the earth was without form"));
        Example cut = enc.encode(new DataRecord.Text("In the beginning God created the heaven and the earth. And the"
                + " earth was without form"));
        assertEquals(8, cut.length());
        assertArrayEquals(Arrays.copyOf(full.ids(), 8), cut.ids());
        var longPrompt = enc.encode(new DataRecord.Instruction("a long instruction that fills the window", "", "x"));
        assertEquals(0, longPrompt.predictedTokens());
    }

    @Test
    void textGetsBosAndOptionalEos() {
        Example plain = ExampleEncoder.of(tok, 64).encode(new DataRecord.Text("light"));
        Example withEos = ExampleEncoder.of(tok, 64).withEosAfterText(true).encode(new DataRecord.Text("light"));
        assertEquals(tok.bosId(), plain.ids()[0]);
        assertArrayEquals(plain.ids(), plain.labels());
        assertEquals(plain.length() + 1, withEos.length());
        assertEquals(tok.eosId(), withEos.ids()[withEos.length() - 1]);
    }

    @Test
    void tokenIdsNeedNoTokenizer() {
        var enc = ExampleEncoder.of(null, 3);
        Example e = enc.encode(new DataRecord.TokenIds(new int[] {4, 5, 6, 7}, null));
        assertArrayEquals(new int[] {4, 5, 6}, e.ids());
        assertArrayEquals(new int[] {4, 5, 6}, e.labels());
        Example masked = enc.encode(new DataRecord.TokenIds(new int[] {4, 5}, new int[] {-100, 5}));
        assertArrayEquals(new int[] {-100, 5}, masked.labels());
        var err = assertThrows(IllegalArgumentException.class, () -> enc.encode(new DataRecord.Text("x")));
        assertTrue(err.getMessage().contains("tokenizer"), err.getMessage());
    }

    @Test
    void batchesPadRightOrLeftWithMasks() {
        List<Example> ex = List.of(new Example(new int[] {7, 8, 9}, new int[] {-100, 8, 9}), Example.of(new int[] {5}));
        Batch r = Batch.collate(ex, 2);
        assertEquals(2, r.batch());
        assertEquals(3, r.length());
        assertArrayEquals(new int[] {7, 8, 9, 5, 2, 2}, r.inputIds());
        assertArrayEquals(new int[] {-100, 8, 9, 5, -100, -100}, r.labels());
        assertArrayEquals(new int[] {1, 1, 1, 1, 0, 0}, r.attentionMask());
        assertEquals(2, r.predictedTokens());
        Batch l = Batch.collate(ex, 2, PaddingSide.LEFT, 4);
        assertEquals(4, l.length());
        assertArrayEquals(new int[] {2, 7, 8, 9, 2, 2, 2, 5}, l.inputIds());
        assertArrayEquals(new int[] {0, 1, 1, 1, 0, 0, 0, 1}, l.attentionMask());
        try (LmBatch t = r.toTensors()) {
            assertArrayEquals(new long[] {2, 3}, t.inputIds().shape());
            assertArrayEquals(r.labels(), t.labels().toIntArray());
            assertArrayEquals(r.attentionMask(), t.attentionMask().toIntArray());
            assertArrayEquals(new int[] {8, 9, -100, -100, -100, -100}, t.targets().toIntArray());
        }
    }

    @Test
    void packingConcatenatesAndCutsBlocks() {
        List<Example> ex = List.of(Example.of(new int[] {1, 2, 3}), new Example(new int[] {4, 5}, new int[] {-100, 5}),
                Example.of(new int[] {6, 7, 8, 9}));
        List<Example> blocks = Packing.pack(ex, 4);
        assertEquals(2, blocks.size(), "9 tokens → 2 blocks of 4, remainder dropped");
        assertArrayEquals(new int[] {1, 2, 3, 4}, blocks.get(0).ids());
        assertArrayEquals(new int[] {1, 2, 3, -100}, blocks.get(0).labels());
        assertArrayEquals(new int[] {5, 6, 7, 8}, blocks.get(1).ids());
        assertThrows(IllegalArgumentException.class, () -> Packing.pack(ex, 10));
    }

    @Test
    void batchSourceShufflesBySeedAndDropsExamplesWithoutTargets() {
        List<Example> ex = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ex.add(Example.of(new int[] {i, i + 1}));
        }
        ex.add(new Example(new int[] {1, 2}, new int[] {-100, -100}));
        var src = new LmBatchSource(ex, 4, 0, true);
        assertEquals(1, src.dropped());
        assertEquals(3, src.batchesPerEpoch());
        assertEquals(List.of(4, 4, 2), src.batches(0, 1).stream().map(Batch::batch).toList());
        assertEquals(firstIds(src.batches(0, 1)), firstIds(src.batches(0, 1)));
        assertTrue(!firstIds(src.batches(0, 1)).equals(firstIds(src.batches(1, 1)))
                || !firstIds(src.batches(0, 1)).equals(firstIds(src.batches(2, 1))), "epochs reshuffle");
    }

    static List<Integer> firstIds(List<Batch> batches) {
        return batches.stream().flatMap(b -> java.util.stream.IntStream.range(0, b.batch())
                .mapToObj(i -> b.inputIds()[i * b.length()])).toList();
    }
}
