package org.wegeft.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.wegeft.tensor.Tensor;

class ModuleTest {
    /** A block with timm-like names: norm1, attn.qkv, a buffer. */
    static final class Block extends Module {
        final Slot<Layer> norm1;
        final Slot<Layer> qkv;

        Block(SplittableRandom rng) {
            norm1 = registerModule("norm1", Layer.class, new LayerNorm(4));
            qkv = registerModule("qkv", Layer.class, new Linear(4, 12, true, rng));
            registerBuffer("scale", Tensor.scalar(0.5f));
        }
    }

    static final class Holder extends Module {
        Holder(Tensor t) {
            registerParameter("w", t);
        }
    }

    static final class Tied extends Module {
        Tied(Tensor shared) {
            registerModule("a", new Holder(shared));
            registerModule("b", new Holder(shared));
        }
    }

    private static ModuleList<Block> model(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        return new ModuleList<>(Block.class, List.of(new Block(rng), new Block(rng)));
    }

    @Test
    void parametersAreNamedByPathInRegistrationOrder() {
        assertEquals(List.of("0.norm1.weight", "0.norm1.bias", "0.qkv.weight", "0.qkv.bias", "1.norm1.weight",
                "1.norm1.bias", "1.qkv.weight", "1.qkv.bias"), List.copyOf(model(1).namedParameters().keySet()));
        assertEquals(List.of("", "0", "0.norm1", "0.qkv", "1", "1.norm1", "1.qkv"),
                List.copyOf(model(1).namedModules().keySet()));
        assertEquals(List.of("0.scale", "1.scale"), List.copyOf(model(1).namedBuffers().keySet()));
    }

    @Test
    void sharedTensorIsListedOnceUnderItsFirstPath() {
        Tensor shared = Tensor.ones(3);
        Tied t = new Tied(shared);
        assertEquals(List.of("a.w"), List.copyOf(t.namedParameters().keySet()));
        assertEquals(3, t.parameterCount());
    }

    @Test
    void replaceAcceptsOnlyTheDeclaredType() {
        ModuleList<Block> m = model(1);
        Module old = m.replace("0.qkv", new Identity());
        assertTrue(old instanceof Linear);
        assertTrue(m.get(0).qkv.get() instanceof Identity, "slot sees the replacement");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.replace("1", new Identity()));
        assertTrue(e.getMessage().contains("'1'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.replace("0.nope", new Identity()));
    }

    @Test
    void stateDictRoundTripsIntoAFreshModel() {
        ModuleList<Block> a = model(1);
        ModuleList<Block> b = model(2);
        b.loadStateDict(a.stateDict(), true);
        a.stateDict().forEach((k, t) -> assertArrayEquals(t.toFloatArray(), b.stateDict().get(k).toFloatArray(), k));
    }

    @Test
    void strictLoadNamesMissingUnexpectedAndMisShapedKeys() {
        ModuleList<Block> m = model(1);
        Map<String, Tensor> state = new HashMap<>(model(2).stateDict());
        state.remove("1.qkv.bias");
        state.put("1.qkv.extra", Tensor.ones(2));
        state.put("0.norm1.weight", Tensor.ones(5));
        StateDictException e = assertThrows(StateDictException.class, () -> m.loadStateDict(state, true, "ckpt.safetensors"));
        assertEquals(List.of("1.qkv.bias"), e.missing());
        assertEquals(List.of("1.qkv.extra"), e.unexpected());
        assertEquals(1, e.misShaped().size());
        for (String key : List.of("ckpt.safetensors", "1.qkv.bias", "1.qkv.extra", "0.norm1.weight")) {
            assertTrue(e.getMessage().contains(key), e.getMessage());
        }
    }

    @Test
    void nonStrictLoadCopiesMatchingKeysOnly() {
        ModuleList<Block> m = model(1);
        Tensor before = m.namedParameters().get("1.qkv.weight");
        float[] kept = before.toFloatArray();
        m.loadStateDict(Map.of("0.qkv.bias", Tensor.full(7f, 12)), false);
        assertEquals(7f, m.namedParameters().get("0.qkv.bias").get(3));
        assertArrayEquals(kept, m.namedParameters().get("1.qkv.weight").toFloatArray());
        assertSame(before, m.namedParameters().get("1.qkv.weight"), "load copies into the existing tensor");
    }

    @Test
    void trainAndEvalPropagateToChildren() {
        ModuleList<Block> m = model(1);
        m.eval();
        assertTrue(m.namedModules().values().stream().noneMatch(Module::isTraining));
        m.train();
        assertTrue(m.namedModules().values().stream().allMatch(Module::isTraining));
    }
}
