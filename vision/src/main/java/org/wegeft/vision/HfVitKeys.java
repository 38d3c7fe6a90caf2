package org.wegeft.vision;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.wegeft.tensor.Tensor;

/**
 * The key map from Hugging Face ViT checkpoints to timm names: {@code [vit.]embeddings.cls_token → cls_token},
 * {@code position_embeddings → pos_embed}, {@code patch_embeddings.projection → patch_embed.proj},
 * {@code encoder.layer.{i}.attention.attention.{query,key,value} → blocks.{i}.attn.qkv} (concatenated q; k; v),
 * {@code attention.output.dense → attn.proj}, {@code layernorm_before → norm1}, {@code layernorm_after → norm2},
 * {@code intermediate.dense → mlp.fc1}, {@code output.dense → mlp.fc2}, {@code layernorm → norm},
 * {@code classifier → head}. A {@code ViTModel}'s {@code pooler.*} is dropped (timm has no pooler). Keys the map
 * does not know keep their own name, so strict loading reports them as unexpected.
 */
final class HfVitKeys {
    /** The checkpoint's naming scheme. */
    enum Naming {
        TIMM("timm names"),
        HF_CLASSIFICATION("Hugging Face ViTForImageClassification names"),
        HF_MODEL("Hugging Face ViTModel names");

        private final String description;

        Naming(String description) {
            this.description = description;
        }

        String description() {
            return description;
        }
    }

    private HfVitKeys() {
    }

    static Naming detect(List<String> keys) {
        if (keys.stream().anyMatch(k -> k.startsWith("vit.embeddings.") || k.startsWith("vit.encoder."))) {
            return Naming.HF_CLASSIFICATION;
        }
        if (keys.stream().anyMatch(k -> k.startsWith("embeddings.patch_embeddings.") || k.startsWith("encoder.layer."))) {
            return Naming.HF_MODEL;
        }
        return Naming.TIMM;
    }

    /**
     * Renames {@code state} (owned tensors) to timm names; tensors that are consumed (q, k, v, pooler) are closed.
     * @param notes receives one line per thing worth telling the user (the dropped pooler)
     */
    static Map<String, Tensor> toTimm(Map<String, Tensor> state, Naming naming, int depth, List<String> notes) {
        String p = naming == Naming.HF_CLASSIFICATION ? "vit." : "";
        Map<String, Tensor> in = new LinkedHashMap<>(state);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String kind : List.of("weight", "bias")) {
            move(in, out, p + "embeddings.patch_embeddings.projection." + kind, "patch_embed.proj." + kind);
        }
        move(in, out, p + "embeddings.cls_token", "cls_token");
        move(in, out, p + "embeddings.position_embeddings", "pos_embed");
        for (int i = 0; i < depth; i++) {
            String h = p + "encoder.layer." + i + ".";
            String t = "blocks." + i + ".";
            for (String kind : List.of("weight", "bias")) {
                String q = h + "attention.attention.query." + kind;
                String k = h + "attention.attention.key." + kind;
                String v = h + "attention.attention.value." + kind;
                if (in.containsKey(q) && in.containsKey(k) && in.containsKey(v)) {
                    try (Tensor tq = in.remove(q); Tensor tk = in.remove(k); Tensor tv = in.remove(v)) {
                        out.put(t + "attn.qkv." + kind, VitCheckpoint.concat(tq, tk, tv));
                    }
                }
                move(in, out, h + "attention.output.dense." + kind, t + "attn.proj." + kind);
                move(in, out, h + "layernorm_before." + kind, t + "norm1." + kind);
                move(in, out, h + "layernorm_after." + kind, t + "norm2." + kind);
                move(in, out, h + "intermediate.dense." + kind, t + "mlp.fc1." + kind);
                move(in, out, h + "output.dense." + kind, t + "mlp.fc2." + kind);
            }
        }
        for (String kind : List.of("weight", "bias")) {
            move(in, out, p + "layernorm." + kind, "norm." + kind);
            move(in, out, "classifier." + kind, "head." + kind);
            Tensor pooler = in.remove(p + "pooler.dense." + kind);
            if (pooler != null) {
                pooler.close();
                if (kind.equals("weight")) {
                    notes.add("ignoring the checkpoint's " + p + "pooler.dense (timm's ViT has no pooler)");
                }
            }
        }
        out.putAll(in); // unknown keys keep their names: strict loading names them as unexpected
        return out;
    }

    private static void move(Map<String, Tensor> in, Map<String, Tensor> out, String from, String to) {
        Tensor t = in.remove(from);
        if (t != null) {
            out.put(to, t);
        }
    }
}
