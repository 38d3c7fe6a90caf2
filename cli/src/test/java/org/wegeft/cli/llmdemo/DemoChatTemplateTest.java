package org.wegeft.cli.llmdemo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.wegeft.llm.chat.ChatMessage;
import org.wegeft.llm.chat.ChatTemplate;
import org.wegeft.llm.data.DataRecord;
import org.wegeft.llm.data.Example;
import org.wegeft.llm.data.ExampleEncoder;
import org.wegeft.llm.data.PromptTemplate;
import org.wegeft.llm.tokenizer.HfTokenizer;

/**
 * The KJV model's chat template gives the demo exactly the tokens of its question-and-answer prompt: BOS, the
 * question, newline, "Answer:", then the answer after a space and EOS, with only the answer and EOS labelled.
 */
class DemoChatTemplateTest {
    private static final Path MODEL = Path.of("../examples/models/llama-kjv");

    @Test
    void chatRecordsEncodeAsTheQuestionAnswerPrompt() {
        try (HfTokenizer tok = HfTokenizer.load(MODEL)) {
            ExampleEncoder chat = ExampleEncoder.of(tok, 96).withChatTemplate(ChatTemplate.fromModel(MODEL));
            ExampleEncoder plain = ExampleEncoder.of(tok, 96).withTemplate(
                    new PromptTemplate("{instruction}\n{input}\nAnswer:", "{instruction}\nAnswer:"));
            List<Example> examples = DemoLlmRuns.encode(chat, ArithmeticTask.generate(60, 1, 3).train());
            int i = 0;
            for (ArithmeticTask.Problem p : ArithmeticTask.generate(60, 1, 3).train()) {
                Example expected = plain.encode(new DataRecord.Instruction(p.question(), "", " " + p.answer()));
                assertEquals(expected, examples.get(i++), p.question());
                assertArrayEquals(plain.promptIds(p.question(), ""),
                        chat.promptIds(List.of(new ChatMessage("user", p.question()))));
            }
            assertTrue(i == 60);
        }
    }
}
