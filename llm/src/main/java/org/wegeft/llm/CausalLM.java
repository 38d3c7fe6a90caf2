package org.wegeft.llm;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.DType;
import org.wegeft.nn.Layer;
import org.wegeft.nn.Linear;
import org.wegeft.nn.Module;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.CheckpointKeep;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.ShardedSafetensors;
import org.wegeft.tensor.bnb.BnbCheckpointException;
import org.wegeft.tensor.bnb.BnbQuantization;
import org.wegeft.tensor.Tensor;

/**
 * A decoder-only causal language model of any {@link DecoderFamilies registered family} (Llama 2/3, Mistral,
 * Qwen2, …), its blocks chosen by {@code model_type}, with Hugging Face's parameter names, so checkpoints load by
 * name and PEFT adapters target {@code q_proj}, {@code v_proj}, … directly. For the LLaMA layout:
 * {@code model.embed_tokens, model.layers.{i}.self_attn.{q,k,v,o}_proj, model.layers.{i}.mlp.{gate,up,down}_proj,
 * model.layers.{i}.input_layernorm, model.layers.{i}.post_attention_layernorm, model.norm, lm_head} (lm_head
 * shares embed_tokens' weight when {@code tie_word_embeddings}).
 *
 * <pre>
 *   ids (B, T) ─ embed_tokens ─▶ (B, T, C) ─ layers (x + attn(norm x); x + mlp(norm x)) ─ norm ─▶ hidden (B, T, C)
 *              ─ lm_head ─▶ logits (B, T, V)
 *   loss(ids, mask, targets): hidden ─ lm_head and cross-entropy fused, chunk by chunk of rows ─▶ scalar
 * </pre>
 *
 * Positions default to {@code past, …, past + T − 1} (past = tokens in the KV cache), as Hugging Face's forward;
 * pass explicit positions for left-padded batches (see {@link #positionsFromMask}). The attention mask
 * (B, past + T), 1 for real tokens and 0 for padding, hides padded keys. BF16/F16 weights are kept in their dtype
 * and converted to float32 for each use (cost: one pass over the weight per call).
 */
public final class CausalLM extends Module implements AutoCloseable {
    private static final float MASKED = -Float.MAX_VALUE;
    private boolean recomputeActivations;

    private final DecoderConfig config;
    private final Slot<DecoderModel> model;
    private final Slot<Layer> lmHead;
    private final List<RotaryEmbedding> ropes;

    /** A freshly initialised model (Hugging Face's init: N(0, initializer_range²)), every draw from {@code seed}. */
    public CausalLM(DecoderConfig config, long seed) {
        this(config, new RandomWeights(seed, config.initializerRange()));
    }

    /**
     * A freshly initialised model whose frozen pretrained weights are stored in {@code weights}, as a checkpoint
     * saved in that dtype loads: with BF16 or F16 every Linear weight and the embedding table (lm_head's too) is
     * that dtype and frozen, the norms stay trainable float32. The values are the float32 init of {@code seed}
     * rounded, and no large weight exists in float32 on the way (a 1B-parameter model never needs 5 GB).
     * @param weights F32, BF16 or F16
     */
    public CausalLM(DecoderConfig config, long seed, DType weights) {
        this(config, new RandomWeights(seed, config.initializerRange(), weights, RandomWeights.BLOCK));
    }

    /**
     * {@link #CausalLM(DecoderConfig, long, DType)} with the frozen weights quantized as they are made
     * ({@link Quantization}), one tensor at a time.
     */
    public CausalLM(DecoderConfig config, long seed, DType weights, Quantization quantization) {
        this(config, new QuantizingWeights(new RandomWeights(seed, config.initializerRange(), weights,
                RandomWeights.BLOCK), quantization));
    }

    CausalLM(DecoderConfig config, WeightSource w) {
        this.config = config;
        this.model = registerModule("model", new DecoderModel("model.", config, w));
        Linear head = config.tieWordEmbeddings()
                ? new Linear(model.get().embedTokens().weight(), null)
                : w.linear("lm_head", config.vocabSize(), config.hiddenSize(), false);
        this.lmHead = registerModule("lm_head", Layer.class, head);
        int rotary = config.rotaryDim();
        if (config.ropeScaling() != null) {
            config.ropeScaling().check(rotary);
        }
        int initial = Math.min(config.maxPositionEmbeddings(), 4096);
        List<RotaryEmbedding> r = new ArrayList<>();
        r.add(new RotaryEmbedding(rotary, config.ropeTheta(), config.ropeScaling(), initial));
        Double local = config.extras().ropeLocalBaseFreq();
        if (local != null) {                    // sliding layers rotate with their own, unscaled base
            r.add(new RotaryEmbedding(rotary, local, null, initial));
        }
        this.ropes = List.copyOf(r);
    }

    // ------------------------------------------------------------------ files

    /**
     * Loads {@code dir} ({@code config.json} + {@code model.safetensors} or its shards), strictly: every missing,
     * unexpected and mis-shaped key is reported by name ({@code lm_head.weight} may be absent only when tied;
     * {@code rotary_emb.inv_freq} buffers of old checkpoints are ignored). Before any module is built, the config
     * values that size the model (layers, widths, heads, vocabulary) are checked against the checkpoint's header
     * shapes ({@link DecoderFamily#sizes}), so a config that does not fit its weights fails fast. BF16 weights stay memory-mapped. A
     * bitsandbytes 4-bit checkpoint ({@code quantization_config} with {@code load_in_4bit}) loads with its
     * quantized weights kept 4-bit, dequantized (and rounded to the compute dtype) inside the products that read them.
     * @throws DecoderConfigException for a bad config.json
     * @throws org.wegeft.nn.StateDictException for a checkpoint that does not fit the config
     * @throws org.wegeft.tensor.bnb.BnbCheckpointException for an unsupported or malformed quantized checkpoint
     */
    public static CausalLM fromPretrained(Path dir) {
        return fromPretrained(dir, null);
    }

    /**
     * {@link #fromPretrained(Path)} with the frozen weights quantized as they load ({@link Quantization}; null for
     * none), tensor by tensor from the memory mapping: no full-precision copy of the model is ever held.
     * @throws org.wegeft.tensor.bnb.BnbCheckpointException when a quantization is asked of a checkpoint that
     *         bitsandbytes quantized already
     */
    public static CausalLM fromPretrained(Path dir, @Nullable Quantization quantization) {
        DecoderConfig config = DecoderConfig.read(dir);
        try (ShardedSafetensors st = ShardedSafetensors.open(dir)) {
            BnbQuantization bnb = BnbQuantization.read(dir);
            if (bnb != null && quantization != null) {
                throw new BnbCheckpointException(dir.resolve("config.json").toString(), "quantization_config",
                        "the checkpoint is already quantized by bitsandbytes; load it without --quantize");
            }
            CheckpointWeights w = new CheckpointWeights(st, bnb);
            DecoderFamilies.get(config.modelType()).sizes(config).check(w.plainShapes(),
                    DecoderConfigJson.file(dir).toString(), st.source().toString(), DecoderConfigException::new);
            CausalLM m = new CausalLM(config, quantization == null ? w : new QuantizingWeights(w, quantization));
            st.tensors().forEach(t -> {
                if (t.name().endsWith("rotary_emb.inv_freq") || (config.tieWordEmbeddings()
                        && t.name().equals("lm_head.weight"))) {
                    w.ignore(t.name());
                }
            });
            try {
                w.check(st.source().toString());
            } catch (RuntimeException e) {
                m.close();
                throw e;
            }
            return m;
        }
    }

    /** Writes {@code dir/config.json} and {@code dir/model.safetensors} (F32; a tied lm_head is not stored). */
    public void save(Path dir) throws IOException {
        DecoderCheckpoint.save(this, dir);
    }

    // ------------------------------------------------------------------ forward

    /** ids (B, T) I32 → logits (B, T, V), positions 0…T−1, no padding. */
    public Tensor forward(Tensor ids) {
        return forward(ids, null, null, null);
    }

    /**
     * ids (B, T) I32 → logits (B, T, V).
     * @param attentionMask (B, past + T) I32 or F32, 1 = token, 0 = padding; null means no padding
     * @param positions     (T) or (B, T) I32 positions; null means past … past + T − 1
     * @param cache         a KV cache to read and extend, or null
     */
    public Tensor forward(Tensor ids, @Nullable Tensor attentionMask, @Nullable Tensor positions,
            @Nullable KvCache cache) {
        try (Grad.Mode r = recomputeScope(); Tensor h = forwardHidden(ids, attentionMask, positions, cache)) {
            return lmHead(h);
        }
    }

    /**
     * The causal-LM training loss: mean cross-entropy of the logits against {@code targets} (B, T) I32 (the token
     * each position predicts, {@link Functional#IGNORE_INDEX} where none counts), equal to
     * {@code crossEntropy(forward(ids, attentionMask, null, null), targets)} but computed from the hidden states by
     * {@link Functional#linearCrossEntropy}, so neither the (B·T × V) logits nor their gradient is ever held (at a
     * 128,256-word vocabulary and 4,096 tokens, 2.1 GB each in float32). An lm_head that is not a plain
     * {@link Linear} (an adapter wrapping it) runs its own forward, followed by the unfused loss.
     * @param attentionMask (B, T), 1 = token, 0 = padding; null means no padding
     */
    public Tensor loss(Tensor ids, @Nullable Tensor attentionMask, Tensor targets) {
        try (Grad.Mode r = recomputeScope(); Tensor h = forwardHidden(ids, attentionMask, null, null)) {
            if (lmHead.get() instanceof Linear head && config.extras().finalLogitSoftcapping() == null) {
                // h: (B, T, C)  W: (V, C)  targets: (B, T)
                return Functional.linearCrossEntropy(h, head.weight(), head.bias(), targets, Functional.IGNORE_INDEX,
                        0f);
            }
            try (Tensor logits = lmHead(h)) {                                           // (B, T, V)
                return Functional.crossEntropy(logits, targets);
            }
        }
    }

    private Grad.@Nullable Mode recomputeScope() {
        return recomputeActivations && isTraining() ? Grad.recomputingActivations() : null;
    }

    /** Logits (B, V) of the last position only (generation: the head runs on B rows instead of B·T). */
    public Tensor forwardLast(Tensor ids, @Nullable Tensor attentionMask, @Nullable Tensor positions,
            @Nullable KvCache cache) {
        try (Tensor h = forwardHidden(ids, attentionMask, positions, cache);
             Tensor last = h.select(1, h.size(1) - 1)) {                      // (B, C)
            return lmHead(last);
        }
    }

    /** The final-norm hidden states (B, T, C); arguments as {@link #forward(Tensor, Tensor, Tensor, KvCache)}. */
    public Tensor forwardHidden(Tensor ids, @Nullable Tensor attentionMask, @Nullable Tensor positions,
            @Nullable KvCache cache) {
        if (ids.dim() != 2 || ids.dtype() != DType.I32) {
            throw new IllegalArgumentException("ids must be (B, T) I32, got " + ids);
        }
        int b = Math.toIntExact(ids.size(0));
        int t = Math.toIntExact(ids.size(1));
        int past = cache == null ? 0 : cache.length();
        if (cache != null) {
            cache.checkRoom(t, b);
        }
        BlockContext ctx = context(b, t, past, attentionMask, positions, cache);
        boolean checkpointed = model.get().gradientCheckpointing() && isTraining() && Grad.isEnabled()
                && cache == null;
        try {
            Tensor h = model.get().forward(ids, ctx);
            if (cache != null) {
                cache.advance(t);
            }
            return h;
        } finally {
            if (!checkpointed) {
                ctx.close();        // checkpointed blocks keep their own aliases of these tensors
            }
        }
    }

    /** hidden (…, C) → logits (…, V), soft-capped when the config says ({@code final_logit_softcapping}). */
    public Tensor lmHead(Tensor hidden) {
        Double cap = config.extras().finalLogitSoftcapping();
        if (cap == null) {
            return lmHead.get().forward(hidden);
        }
        float c = cap.floatValue();
        return org.wegeft.tensor.TensorScope.call(() -> lmHead.get().forward(hidden).div(c).tanh().mul(c));
    }

    private BlockContext context(int b, int t, int past, @Nullable Tensor mask, @Nullable Tensor positions,
            @Nullable KvCache cache) {
        int[][] pos = positionRows(b, t, past, positions);
        int seqLen = 0;                           // Hugging Face's sequence length: the largest position + 1
        for (int[] row : pos) {
            for (int p : row) {
                seqLen = Math.max(seqLen, p + 1);
            }
        }
        List<BlockContext.Rope> tables = new ArrayList<>();
        for (RotaryEmbedding rope : ropes) {
            List<Tensor> cos = new ArrayList<>();
            List<Tensor> sin = new ArrayList<>();
            for (int[] row : pos) {
                Tensor[] cs = rope.lookup(row, seqLen);
                cos.add(cs[0]);
                sin.add(cs[1]);
            }
            tables.add(new BlockContext.Rope(cos, sin));
        }
        float[] m = padding(mask, b, past + t);
        boolean explicit = config.extras().attnLogitSoftcapping() != null;   // no fused kernel: always a mask
        boolean anyFull = config.layerTypes().contains(DecoderConfig.FULL_ATTENTION);   // Mistral: none
        Tensor full = !anyFull || m == null && !explicit ? null : maskBias(m, b, t, past, 0, 0);
        Integer window = config.slidingWindow();
        int start = 0;
        Tensor windowBias = null;
        if (config.slides() && window != null) {
            start = Math.max(0, past + 1 - window);         // no query of this forward sees an earlier key
            boolean hides = t > 1 && past + t > window;      // some query's window starts after `start`
            windowBias = m == null && !explicit && !hides ? null : maskBias(m, b, t, past, start, window);
        }
        return new BlockContext(tables, full, start, windowBias, cache);
    }

    /** One row of positions when every row is the same, else B rows. */
    private static int[][] positionRows(int b, int t, int past, @Nullable Tensor positions) {
        if (positions == null) {
            int[] row = new int[t];
            for (int i = 0; i < t; i++) {
                row[i] = past + i;
            }
            return new int[][] {row};
        }
        if (positions.dtype() != DType.I32 || !(positions.dim() == 1 && positions.size(0) == t
                || positions.dim() == 2 && positions.size(0) == b && positions.size(1) == t)) {
            throw new IllegalArgumentException("positions must be (" + t + ") or (" + b + ", " + t + ") I32, got "
                    + positions);
        }
        int[] all = positions.toIntArray();
        int rows = positions.dim() == 1 ? 1 : b;
        int[][] out = new int[rows][];
        boolean same = true;
        for (int r = 0; r < rows; r++) {
            out[r] = java.util.Arrays.copyOfRange(all, r * t, (r + 1) * t);
            same &= java.util.Arrays.equals(out[r], out[0]);
        }
        return same ? new int[][] {out[0]} : out;
    }

    /** The (B, past + T) padding mask as floats, or null when nothing is padded. */
    private static float @Nullable [] padding(@Nullable Tensor mask, int b, int tk) {
        if (mask == null) {
            return null;
        }
        if (mask.dim() != 2 || mask.size(0) != b || mask.size(1) != tk) {
            throw new IllegalArgumentException("attention mask must be (" + b + ", " + tk + ") (past + new tokens),"
                    + " got " + mask);
        }
        float[] m = mask.dtype() == DType.I32 ? toFloats(mask.toIntArray()) : mask.toFloatArray();
        for (float v : m) {
            if (v == 0f) {
                return m;
            }
        }
        return null;
    }

    /**
     * The additive mask (0 or a huge negative) over keys [start, past + T): (B, 1, T, past + T − start) with padding
     * {@code m}, else (1, 1, T, past + T − start). Query i (at past + i) sees key j when j ≤ past + i, j is not
     * padding and, with a {@code window} > 0, past + i − j < window.
     */
    private static Tensor maskBias(float @Nullable [] m, int b, int t, int past, int start, int window) {
        int tk = past + t;
        int rows = m == null ? 1 : b;
        int n = tk - start;
        float[] bias = new float[rows * t * n];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < t; i++) {
                for (int j = start; j < tk; j++) {
                    boolean visible = j <= past + i && (window == 0 || past + i - j < window)
                            && (m == null || m[r * tk + j] != 0f);
                    bias[(r * t + i) * n + j - start] = visible ? 0f : MASKED;
                }
            }
        }
        return Tensor.of(bias, rows, 1, t, n);
    }

    private static float[] toFloats(int[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = v[i];
        }
        return f;
    }

    /**
     * Hugging Face's positions for a padded batch: cumsum(mask) − 1, padding set to 1. mask: (B, T) 1/0 →
     * (B, T) I32.
     */
    public static Tensor positionsFromMask(Tensor mask) {
        long b = mask.size(0);
        long t = mask.size(1);
        float[] m = mask.dtype() == DType.I32 ? toFloats(mask.toIntArray()) : mask.toFloatArray();
        int[] out = new int[m.length];
        for (int r = 0; r < b; r++) {
            int sum = 0;
            for (int i = 0; i < t; i++) {
                int k = (int) (r * t + i);
                sum += m[k] != 0f ? 1 : 0;
                out[k] = m[k] != 0f ? sum - 1 : 1;
            }
        }
        return Tensor.ofInts(out, b, t);
    }

    // ------------------------------------------------------------------ state

    /** A KV cache for {@code batch} sequences of up to {@code capacity} tokens (prompt + generated). */
    public KvCache newCache(int batch, int capacity) {
        return new KvCache(config.numHiddenLayers(), batch, config.numKeyValueHeads(), capacity, config.headDim());
    }

    /**
     * Gradient checkpointing: in training, each decoder block's activations are recomputed during backward
     * instead of kept (about one extra forward per step; activation memory of one block instead of all).
     */
    public CausalLM gradientCheckpointing(boolean on) {
        model.get().gradientCheckpointing(on, CheckpointKeep.NOTHING);
        return this;
    }

    /**
     * In training, lets the outputs of the RMS norms and of the MLP's gate ({@code silu(gate)·up}) go after forward
     * and computes them again in backward ({@link Grad#recomputingActivations()}): per decoder layer at T tokens,
     * 2·hidden + intermediate floats a token fewer held until backward, for about one more forward pass of those
     * cheap ops. Same gradients, bit for bit. With gradient checkpointing it applies to the forward only: a
     * checkpointed block recomputed in backward keeps its cheap outputs while its own backward runs.
     */
    public CausalLM recomputeActivations(boolean on) {
        recomputeActivations = on;
        return this;
    }

    /** Whether {@link #recomputeActivations(boolean)} is on. */
    public boolean recomputeActivations() {
        return recomputeActivations;
    }

    /**
     * Gradient checkpointing that also keeps what {@code keep} names from each block's forward (selective
     * checkpointing; with {@link CheckpointKeep#ATTENTION_AND_DOWN_PROJECTIONS}: the attention output and the
     * MLP's down_proj output). Same gradients, bit for bit.
     */
    public CausalLM gradientCheckpointing(CheckpointKeep keep) {
        model.get().gradientCheckpointing(true, keep);
        return this;
    }

    public boolean isGradientCheckpointing() {
        return model.get().gradientCheckpointing();
    }

    /**
     * Converts every BF16/F16 parameter to a trainable F32 copy (for full fine-tuning of a BF16 checkpoint);
     * tied embeddings stay tied.
     */
    public CausalLM toFloat32() {
        try (Grad.Mode off = Grad.disabled()) {
            for (var e : namedParameters().entrySet()) {
                Tensor t = e.getValue();
                if (t.dtype() != DType.F32) {
                    Tensor f = t.to(DType.F32);
                    f.requiresGrad(true);
                    param(e.getKey()).set(f);
                }
            }
            if (config.tieWordEmbeddings() && lmHead.get() instanceof Linear head) {
                head.weightParam().set(model.get().embedTokens().weight());
            }
        }
        return this;
    }

    public DecoderConfig config() {
        return config;
    }

    /** The decoder body ({@code model.}). */
    public DecoderModel model() {
        return model.get();
    }

    public List<DecoderLayer> layers() {
        return java.util.stream.StreamSupport.stream(model.get().layers().spliterator(), false).toList();
    }

    public Layer lmHead() {
        return lmHead.get();
    }

    /**
     * Whether a KV cache holding {@code cached} tokens must be dropped before a forward that brings the sequence to
     * {@code total} tokens: the rope scaling rotates the longer sequence's keys differently from those cached
     * ({@link RopeScaling#cacheStaleAfter}).
     */
    boolean cacheGoesStale(int cached, int total) {
        RopeScaling s = config.ropeScaling();
        return s != null && cached > 0 && cached <= s.cacheStaleAfter() && total > s.cacheStaleAfter();
    }

    /** The rotary inverse frequencies (after rope_scaling), one per rotated pair. */
    public float[] ropeInvFreq() {
        return ropes.get(0).invFreq();
    }

    /** Frees every parameter (releasing memory-mapped checkpoint files) and the rotary tables. */
    @Override
    public void close() {
        namedParameters().values().forEach(Tensor::close);
        namedBuffers().values().forEach(Tensor::close);
        ropes.forEach(RotaryEmbedding::close);
    }
}
