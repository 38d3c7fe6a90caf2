package org.wegeft.peft;

import java.util.Random;
import org.wegeft.nn.Layer;
import org.wegeft.nn.Linear;
import org.wegeft.nn.Module;
import org.wegeft.nn.ModuleList;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Tensor;

/** Small module trees with real checkpoint names: a ViT-like (timm) and a LLaMA-like (HF) model. */
final class ToyModels {
    private ToyModels() {
    }

    /** A model with one typed forward: x (B, T, dim) → output. */
    abstract static class Toy extends Module {
        private final int dim;

        Toy(int dim) {
            this.dim = dim;
        }

        abstract Tensor forward(Tensor x);

        final int dim() {
            return dim;
        }
    }

    /** A container of Linear slots that adapters can replace. */
    static class Holder extends Module {
        Slot<Layer> lin(String name, int in, int out, Random rng) {
            return registerModule(name, Layer.class, new Linear(in, out, true, rng));
        }
    }

    static final class VitBlock extends Module {
        final Holder attn = new Holder();
        final Holder mlp = new Holder();
        final Slot<Layer> qkv;
        final Slot<Layer> proj;
        final Slot<Layer> fc1;
        final Slot<Layer> fc2;
        final int dim;

        VitBlock(int dim, int hidden, Random rng) {
            this.dim = dim;
            registerModule("attn", attn);
            registerModule("mlp", mlp);
            qkv = attn.lin("qkv", dim, 3 * dim, rng);
            proj = attn.lin("proj", dim, dim, rng);
            fc1 = mlp.lin("fc1", dim, hidden, rng);
            fc2 = mlp.lin("fc2", hidden, dim, rng);
        }

        // x: (B, T, C)
        Tensor forward(Tensor x) {
            Tensor h = qkv.get().forward(x);                  // (B, T, 3C)
            Tensor v = h.narrow(2, 2L * dim, dim).tanh();     // (B, T, C)
            Tensor x1 = x.add(proj.get().forward(v));
            return x1.add(fc2.get().forward(fc1.get().forward(x1).gelu()));
        }
    }

    /** blocks.{i}.attn.qkv, blocks.{i}.attn.proj, blocks.{i}.mlp.fc1/fc2, head. */
    static final class Vit extends Toy {
        final ModuleList<VitBlock> blocks = new ModuleList<>(VitBlock.class);
        final Slot<Layer> head;

        Vit(int depth, int dim, int hidden, int classes, long seed) {
            super(dim);
            Random rng = new Random(seed);
            registerModule("blocks", blocks);
            for (int i = 0; i < depth; i++) {
                blocks.add(new VitBlock(dim, hidden, rng));
            }
            head = registerModule("head", Layer.class, new Linear(dim, classes, true, rng));
        }

        @Override
        Tensor forward(Tensor x) {
            for (VitBlock b : blocks) {
                x = b.forward(x);
            }
            return head.get().forward(x.mean(1, false)); // (B, classes)
        }
    }

    static final class LlamaLayer extends Module {
        final Holder selfAttn = new Holder();
        final Holder mlp = new Holder();
        final Slot<Layer> q;
        final Slot<Layer> k;
        final Slot<Layer> v;
        final Slot<Layer> o;
        final Slot<Layer> gate;
        final Slot<Layer> up;
        final Slot<Layer> down;

        LlamaLayer(int dim, int inter, Random rng) {
            registerModule("self_attn", selfAttn);
            registerModule("mlp", mlp);
            q = selfAttn.lin("q_proj", dim, dim, rng);
            k = selfAttn.lin("k_proj", dim, dim, rng);
            v = selfAttn.lin("v_proj", dim, dim, rng);
            o = selfAttn.lin("o_proj", dim, dim, rng);
            gate = mlp.lin("gate_proj", dim, inter, rng);
            up = mlp.lin("up_proj", dim, inter, rng);
            down = mlp.lin("down_proj", inter, dim, rng);
        }

        // x: (B, T, C)
        Tensor forward(Tensor x) {
            Tensor a = q.get().forward(x).mul(k.get().forward(x).sigmoid()).add(v.get().forward(x));
            Tensor x1 = x.add(o.get().forward(a));
            Tensor m = gate.get().forward(x1).silu().mul(up.get().forward(x1));
            return x1.add(down.get().forward(m));
        }
    }

    static final class LlamaBody extends Module {
        final ModuleList<LlamaLayer> layers = new ModuleList<>(LlamaLayer.class);

        LlamaBody() {
            registerModule("layers", layers);
        }
    }

    /** model.layers.{i}.self_attn.{q,k,v,o}_proj, model.layers.{i}.mlp.{gate,up,down}_proj, lm_head. */
    static final class Llama extends Toy {
        final LlamaBody body = new LlamaBody();
        final Slot<Layer> lmHead;

        Llama(int nLayers, int dim, int inter, int vocab, long seed) {
            super(dim);
            Random rng = new Random(seed);
            registerModule("model", body);
            for (int i = 0; i < nLayers; i++) {
                body.layers.add(new LlamaLayer(dim, inter, rng));
            }
            lmHead = registerModule("lm_head", Layer.class, new Linear(dim, vocab, false, rng));
        }

        @Override
        Tensor forward(Tensor x) {
            for (LlamaLayer l : body.layers) {
                x = l.forward(x);
            }
            return lmHead.get().forward(x); // (B, T, vocab)
        }
    }
}
