package org.wegeft.llm;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.DType;
import org.wegeft.nn.ConfigFields;
import org.wegeft.nn.Layer;
import org.wegeft.tensor.Tensor;

/**
 * What Gemma 2 and Gemma 3 share: {@link GemmaDecoderLayer}s with GeGLU ({@code hidden_activation}), every norm
 * a {@link GemmaRMSNorm}, embeddings times √hidden_size, attention scaled by {@code query_pre_attn_scalar^-1/2},
 * sliding-window layers beside global ones, tied embeddings by default. The subclasses give which layers slide,
 * the soft-caps' defaults and the q/k norms.
 */
abstract sealed class GemmaFamily implements DecoderFamily permits Gemma2Family, Gemma3TextFamily {
    /** Whether each head's q and k are normalised ({@code q_norm}, {@code k_norm}) before RoPE. */
    abstract boolean qkNorm();

    /** Puts the family's config defaults that differ between Gemma 2 and Gemma 3 where config.json has no key. */
    abstract void familyDefaults(ObjectNode o);

    /** Which layers slide when config.json has no {@code layer_types}. */
    abstract List<String> derivedLayerTypes(ConfigFields r, int layers);

    /** The family's {@link DecoderConfig.Extras} from config.json (defaults filled in), given query_pre_attn_scalar. */
    abstract DecoderConfig.Extras extras(ConfigFields r, double queryPreAttnScalar);

    @Override
    public DecoderConfig read(ConfigFields file) {
        // Gemma2Config's and Gemma3TextConfig's defaults where they differ from Llama's
        ObjectNode o = file.root().deepCopy();
        o.putIfAbsent("hidden_size", o.numberNode(2304));
        o.putIfAbsent("intermediate_size", o.numberNode(9216));
        o.putIfAbsent("num_hidden_layers", o.numberNode(26));
        o.putIfAbsent("num_attention_heads", o.numberNode(8));
        o.putIfAbsent("num_key_value_heads", o.numberNode(4));
        o.putIfAbsent("head_dim", o.numberNode(256));
        o.putIfAbsent("pad_token_id", o.numberNode(0));
        o.putIfAbsent("eos_token_id", o.numberNode(1));
        o.putIfAbsent("bos_token_id", o.numberNode(2));
        o.putIfAbsent("tie_word_embeddings", o.booleanNode(true));
        o.putIfAbsent("query_pre_attn_scalar", o.numberNode(256));
        o.putIfAbsent("sliding_window", o.numberNode(4096));
        familyDefaults(o);
        ConfigFields r = file.with(file.source(), o);
        // Gemma's MLP reads hidden_activation; an older hidden_act beside it is ignored, as in transformers
        String act = r.string("hidden_activation", Activation.GELU_PYTORCH_TANH.hfName());
        if (!Activation.NAMES.contains(act)) {
            throw r.error("hidden_activation", "\"" + act + "\" is not supported (supported: "
                    + String.join(", ", Activation.NAMES) + ")");
        }
        double scalar = r.number("query_pre_attn_scalar", 0);
        if (!(scalar > 0) || Double.isInfinite(scalar)) {
            throw r.error("query_pre_attn_scalar", "must be positive, got " + scalar);
        }
        int window = r.integer("sliding_window");
        if (window <= 0) {
            throw r.error("sliding_window", "must be a positive integer, got " + window);
        }
        DecoderConfig c = DecoderConfigJson.common(r, act);
        List<String> types = DecoderConfigJson.layerTypes(r, derivedLayerTypes(r, c.numHiddenLayers()));
        return c.withLayerTypes(window, types).withExtras(extras(r, scalar));
    }

    /** A number that is null when JSON null (or absent); otherwise it must be positive. */
    static @Nullable Double positiveOrNull(ConfigFields r, String key) {
        if (r.get(key) == null) {
            return null;
        }
        double v = r.number(key, 0);
        if (!(v > 0) || Double.isInfinite(v)) {
            throw r.error(key, "must be positive or null, got " + v);
        }
        return v;
    }

    @Override
    public void write(DecoderConfig c, ObjectNode o) {
        o.put("hidden_activation", c.hiddenAct());
        o.put("query_pre_attn_scalar", c.extras().queryPreAttnScalar());
        putOrNull(o, "attn_logit_softcapping", c.extras().attnLogitSoftcapping());
        putOrNull(o, "final_logit_softcapping", c.extras().finalLogitSoftcapping());
        ArrayNode types = o.putArray("layer_types");       // always: the derived default may differ when read back
        c.layerTypes().forEach(types::add);
    }

    static void putOrNull(ObjectNode o, String key, @Nullable Double v) {
        if (v == null) {
            o.putNull(key);
        } else {
            o.put(key, v);
        }
    }

    @Override
    public DecoderLayer layer(String prefix, int index, DecoderConfig c, WeightSource w) {
        return new GemmaDecoderLayer(prefix, c, AttentionOptions.of(c, index, c.attentionBias()), qkNorm(), w);
    }

    @Override
    public Layer norm(String path, int dim, DecoderConfig c, WeightSource w) {
        return new GemmaRMSNorm(w.get(path + ".weight", new long[] {dim}, WeightSource.Init.ZEROS),
                (float) c.rmsNormEps());
    }

    /**
     * √hidden_size as Hugging Face holds it: a tensor of the hidden states' dtype, so float32(√C) for a float32
     * table, and for a BF16/F16 checkpoint that value rounded to the half type (√2304 = 48 exactly, but √3072 =
     * 55.4256 becomes 55.5), which is what the model computes with in the dtype it was trained in.
     */
    @Override
    public float embeddingScale(DecoderConfig c, DType table) {
        float scale = (float) Math.sqrt(c.hiddenSize());
        if (table != DType.BF16 && table != DType.F16) {
            return scale;
        }
        try (Tensor s = Tensor.of(new float[] {scale}, 1); Tensor half = s.to(table);
             Tensor back = half.to(DType.F32)) {
            return back.toFloatArray()[0];
        }
    }
}
