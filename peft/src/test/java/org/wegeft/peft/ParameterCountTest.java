package org.wegeft.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.wegeft.peft.lora.LoraConfig;
import org.wegeft.peft.wegeft.WeGeFTConfig;

/** Counts from shapes alone (nothing allocated), against DESIGN.md §1's figures. */
class ParameterCountTest {
    static Map<String, long[]> vitB16() {
        Map<String, long[]> s = new LinkedHashMap<>();
        for (int i = 0; i < 12; i++) {
            s.put("blocks." + i + ".attn.qkv", new long[] {2304, 768});
            s.put("blocks." + i + ".attn.proj", new long[] {768, 768});
            s.put("blocks." + i + ".mlp.fc1", new long[] {3072, 768});
            s.put("blocks." + i + ".mlp.fc2", new long[] {768, 3072});
        }
        s.put("head", new long[] {1000, 768});
        return s;
    }

    static Map<String, long[]> llama7B() {
        Map<String, long[]> s = new LinkedHashMap<>();
        for (int i = 0; i < 32; i++) {
            String p = "model.layers." + i + ".";
            for (String n : List.of("q_proj", "k_proj", "v_proj", "o_proj")) {
                s.put(p + "self_attn." + n, new long[] {4096, 4096});
            }
            s.put(p + "mlp.gate_proj", new long[] {11008, 4096});
            s.put(p + "mlp.up_proj", new long[] {11008, 4096});
            s.put(p + "mlp.down_proj", new long[] {4096, 11008});
        }
        s.put("lm_head", new long[] {32000, 4096});
        return s;
    }

    static final TargetModules QKVUD = TargetModules.of("q_proj", "k_proj", "v_proj", "up_proj", "down_proj");

    @Test
    void vitB16AttnProjRank16TiedAcrossBlocksHas24576() {
        WeGeFTConfig c = WeGeFTConfig.of(16, 16, TargetModules.of("attn.proj"), List.of(List.of(".*attn\\.proj")));
        assertEquals(2L * 16 * 768, ParameterCount.of(c, vitB16()));
        assertEquals(24_576L, ParameterCount.of(c, vitB16()));
    }

    @Test
    void llama7BWeGeFTRank64TiedPerModuleHas3506176() {
        List<List<String>> ties = Stream.of("q_proj", "k_proj", "v_proj", "up_proj", "down_proj")
                .map(n -> List.of(".*\\." + n)).toList();
        WeGeFTConfig c = WeGeFTConfig.of(64, 128, QKVUD, ties);
        long formula = 2L * 64 * (4096 * 4 + 11008); // q, k, v, up read 4096 inputs; down reads 11008
        assertEquals(formula, ParameterCount.of(c, llama7B()));
        assertEquals(3_506_176L, ParameterCount.of(c, llama7B()));
        long base = llama7B().values().stream().mapToLong(s -> s[0] * s[1]).sum();
        assertEquals(0.0, 100.0 * 3_506_176 / base - 0.052, 0.005, "≈ 0.052 % of the Linear weights");
    }

    @Test
    void llama7BLoraRank16OnTheSameModulesHas28Point05M() {
        LoraConfig c = LoraConfig.of(16, 32, QKVUD);
        long perLayer = 3L * 16 * (4096 + 4096) + 16L * (4096 + 11008) + 16L * (11008 + 4096);
        assertEquals(32 * perLayer, ParameterCount.of(c, llama7B()));
        assertEquals(28_049_408L, ParameterCount.of(c, llama7B()));
    }

    @Test
    void untiedWeGeFTOwnsOnePairPerLayer() {
        WeGeFTConfig c = WeGeFTConfig.of(16, 16, TargetModules.of("attn.proj"), List.of());
        assertEquals(12L * 2 * 16 * 768, ParameterCount.of(c, vitB16()));
    }

    @Test
    void layersToTransformRestrictsTheCount() {
        WeGeFTConfig base = WeGeFTConfig.of(8, 8, TargetModules.of("fc1"), List.of());
        WeGeFTConfig c = new WeGeFTConfig(8, 8, base.targetModules(), List.of(), 0, "input", "none", List.of(),
                List.of(0, 5), List.of(), Map.of());
        assertEquals(2L * 2 * 8 * 768, ParameterCount.of(c, vitB16()));
    }
}
