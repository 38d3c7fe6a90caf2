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
    /** Hugging Face's defaults of both configs. */
    private static final int SLIDING_WINDOW = 4096;
    private static final double QUERY_PRE_ATTN_SCALAR = 256;

    /** Whether each head's q and k are normalised ({@code q_norm}, {@code k_norm}) before RoPE. */
    abstract boolean qkNorm();

    /** Which layers slide when config.json has no {@code layer_types}. */
    abstract List<String> derivedLayerTypes(ConfigFields r, int layers);

    /** The family's {@link DecoderConfig.Extras} from config.json, given the shared query_pre_attn_scalar. */
    abstract DecoderConfig.Extras extras(ConfigFields r, double queryPreAttnScalar);

    @Override
    public DecoderConfig read(ConfigFields r) {
        // Gemma's MLP reads hidden_activation; an older hidden_act beside it is ignored, as in transformers
        String act = r.string("hidden_activation", Activation.GELU_PYTORCH_TANH.hfName());
        if (!Activation.NAMES.contains(act)) {
            throw r.error("hidden_activation", "\"" + act + "\" is not supported (supported: "
                    + String.join(", ", Activation.NAMES) + ")");
        }
        double scalar = r.number("query_pre_attn_scalar", QUERY_PRE_ATTN_SCALAR);
        if (!(scalar > 0) || Double.isInfinite(scalar)) {
            throw r.error("query_pre_attn_scalar", "must be positive, got " + scalar);
        }
        int window = r.integer("sliding_window", SLIDING_WINDOW);
        if (window <= 0) {
            throw r.error("sliding_window", "must be a positive integer, got " + window);
        }
        DecoderConfig c = DecoderConfigJson.common(r, act).withTieWordEmbeddings(r.bool("tie_word_embeddings", true));
        List<String> types = DecoderConfigJson.layerTypes(r, derivedLayerTypes(r, c.numHiddenLayers()));
        return c.withLayerTypes(window, types).withExtras(extras(r, scalar));
    }

    /**
     * A number that may be JSON null (then null), {@code dflt} when the key is absent; when present it must be
     * positive.
     */
    static @Nullable Double positiveOrNull(ConfigFields r, String key, @Nullable Double dflt) {
        if (!r.root().has(key)) {
            return dflt;
        }
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
