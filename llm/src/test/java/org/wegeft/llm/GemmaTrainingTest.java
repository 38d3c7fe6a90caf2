package org.wegeft.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.wegeft.nn.train.AdamW;
import org.wegeft.nn.train.ParamGroup;
import org.wegeft.peft.PeftModel;
import org.wegeft.peft.TargetModules;
import org.wegeft.peft.lora.LoraConfig;
import org.wegeft.peft.wegeft.WeGeFTConfig;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.testing.TensorFixtures;

/**
 * Training Gemma models: WeGeFT and LoRA on q,k,v,up,down land on every layer (sliding and global), only they train,
 * and a few AdamW steps on one sequence lower its loss; in full fine-tuning the stored norm weights (scale − 1) get
 * the gradient finite differences give.
 */
class GemmaTrainingTest {
    private static final String[] TARGETS = {"q_proj", "k_proj", "v_proj", "up_proj", "down_proj"};
    private static final int[] IDS = {3, 17, 40, 99, 5, 61, 8, 120, 77, 11, 30, 64, 9, 33, 101, 45, 12, 80, 6, 27};

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({"wegeft, gemma2_tiny", "lora, gemma2_tiny", "wegeft, gemma3_tiny", "lora, gemma3_tiny"})
    void adaptersTrainAndLowerTheLoss(String method, String fixture) {
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path(fixture))) {
            TargetModules targets = TargetModules.of(TARGETS);
            PeftModel pm = PeftModel.inject(model, method.equals("wegeft")
                    ? WeGeFTConfig.of(4, 8, targets, List.of(List.of(".*\\.q_proj"), List.of(".*\\.k_proj"),
                            List.of(".*\\.v_proj"), List.of(".*\\.up_proj"), List.of(".*\\.down_proj")))
                    : LoraConfig.of(4, 8, targets), 5);
            int layers = model.config().numHiddenLayers();
            assertEquals(TARGETS.length * layers, pm.adapterLayers().size());
            List<Tensor> trainable = List.copyOf(model.trainableParameters().values());
            assertTrue(model.trainableParameters().keySet().stream().noneMatch(k -> k.contains("layernorm")
                    || k.contains("embed_tokens")), "only adapter tensors train");
            model.train(true);
            float first = Float.NaN;
            float last = Float.NaN;
            try (AdamW opt = new AdamW(List.of(ParamGroup.of(trainable, 0)), 0.01)) {
                for (int step = 0; step < 6; step++) {
                    try (Tensor ids = Tensor.ofInts(IDS, 1, IDS.length);
                         Tensor t = Tensor.ofInts(shifted(), 1, IDS.length);
                         Tensor loss = model.loss(ids, null, t)) {
                        loss.backward();
                        last = loss.item();
                        if (step == 0) {
                            first = last;
                        }
                    }
                    opt.step();
                    opt.zeroGrad();
                }
            }
            System.out.printf("%s on %s: loss %.4f -> %.4f%n", method, fixture, first, last);
            assertTrue(last < first - 0.05, method + " on " + fixture + ": loss " + first + " -> " + last);
        }
    }

    @ParameterizedTest
    @CsvSource({"gemma2_tiny, model.layers.1.post_feedforward_layernorm.weight",
        "gemma3_tiny, model.layers.2.self_attn.k_norm.weight", "gemma3_tiny, model.norm.weight"})
    void normWeightGradientMatchesFiniteDifferences(String fixture, String param) {
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path(fixture))) {
            Tensor w = model.namedParameters().get(param);
            assertTrue(w.requiresGrad(), param + " trains in full fine-tuning");
            float[] grad;
            try (Tensor loss = loss(model)) {
                loss.backward();
                grad = w.grad().toFloatArray();
            }
            int j = 0;
            for (int i = 1; i < grad.length; i++) {
                j = Math.abs(grad[i]) > Math.abs(grad[j]) ? i : j;
            }
            float h = 1e-2f;
            float[] values = w.toFloatArray();
            double[] at = new double[2];
            try (Grad.Mode off = Grad.disabled()) {
                for (int side = 0; side < 2; side++) {
                    float[] moved = values.clone();
                    moved[j] += side == 0 ? h : -h;
                    try (Tensor m = Tensor.of(moved, w.shape())) {
                        w.copyFrom(m);
                    }
                    try (Tensor l = loss(model)) {
                        at[side] = l.item();
                    }
                }
            }
            double numeric = (at[0] - at[1]) / (2 * h);
            System.out.printf("%s %s[%d]: gradient %.6f, finite difference %.6f%n", fixture, param, j, grad[j],
                    numeric);
            assertEquals(numeric, grad[j], 2e-2 * Math.abs(numeric) + 1e-4, param + "[" + j + "]");
        }
    }

    /** Blocks recomputed in backward see the same window and soft-cap masks: the same gradients. */
    @ParameterizedTest
    @CsvSource({"gemma2_tiny", "gemma3_tiny"})
    void gradientCheckpointingGivesTheSameFullFineTuningGradients(String fixture) {
        Map<String, float[]> plain = fullGradients(fixture, false);
        Map<String, float[]> ckpt = fullGradients(fixture, true);
        assertEquals(plain.keySet(), ckpt.keySet());
        assertTrue(plain.containsKey("model.layers.0.post_attention_layernorm.weight"));
        plain.forEach((k, g) -> {
            double err = TensorFixtures.maxRelError(k + " gradient", ckpt.get(k), g);
            assertTrue(err <= 1e-6, k + ": max relative diff " + err);
        });
    }

    private static Map<String, float[]> fullGradients(String fixture, boolean checkpointing) {
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path(fixture))) {
            model.train(true);
            model.gradientCheckpointing(checkpointing);
            try (Tensor l = loss(model)) {
                l.backward();
            }
            Map<String, float[]> out = new java.util.TreeMap<>();
            model.trainableParameters().forEach((k, t) -> out.put(k, t.grad().toFloatArray()));
            return out;
        }
    }

    /** Hugging Face's fresh Gemma: every norm weight zero (a scale of one), and it trains from there. */
    @ParameterizedTest
    @CsvSource({"gemma2_tiny", "gemma3_tiny"})
    void freshModelStartsWithZeroNormWeights(String fixture) {
        try (CausalLM model = new CausalLM(DecoderConfig.read(LlmFixtures.path(fixture)), 7)) {
            var norms = model.namedParameters().entrySet().stream().filter(e -> e.getKey().endsWith("norm.weight"))
                    .toList();
            int perLayer = fixture.startsWith("gemma3") ? 6 : 4;
            assertEquals(perLayer * model.config().numHiddenLayers() + 1, norms.size());
            norms.forEach(e -> {
                for (float v : e.getValue().toFloatArray()) {
                    assertEquals(0f, v, e.getKey());
                }
            });
            try (Tensor l = loss(model)) {
                assertTrue(Float.isFinite(l.item()) && Math.abs(l.item() - Math.log(128)) < 0.5,
                        "a fresh model's loss is near log V: " + l.item());
            }
        }
    }

    private static Tensor loss(CausalLM model) {
        try (Tensor ids = Tensor.ofInts(IDS, 1, IDS.length); Tensor t = Tensor.ofInts(shifted(), 1, IDS.length)) {
            return model.loss(ids, null, t);
        }
    }

    private static int[] shifted() {
        int[] t = new int[IDS.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = i + 1 < IDS.length ? IDS[i + 1] : -100;
        }
        return t;
    }
}
