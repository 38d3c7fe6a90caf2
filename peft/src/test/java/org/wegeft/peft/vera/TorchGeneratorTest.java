package org.wegeft.peft.vera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.wegeft.peft.TargetModules;
import org.wegeft.tensor.SafetensorsFile;
import org.wegeft.tensor.Storage;
import org.wegeft.tensor.Tensor;

/** The port of PyTorch's CPU generator against values PyTorch drew (tools/fixtures/make_variant_fixtures.py). */
class TorchGeneratorTest {
    static final Path FIXTURE = Path.of("../cli/src/test/resources/merge/vera_projections.safetensors");

    static float[] read(SafetensorsFile f, String name) {
        try (Storage s = f.storage(name); Tensor t = Tensor.wrap(s, f.info(name).shape())) {
            return t.toFloatArray();
        }
    }

    @Test
    void uniformDrawsEqualTorchBitForBit() {
        try (SafetensorsFile f = SafetensorsFile.open(FIXTURE)) {
            assertArrayEquals(read(f, "uniform_key3"), new TorchGenerator(3).uniform(20, -0.5, 0.5));
        }
    }

    /** VeRA's projections for key 11 on the merge fixture's model: largest (d_out, d_in) = (64, 64), r 8. */
    @Test
    void projectionsEqualPeftsForTheSameKey() {
        VeraConfig c = new VeraConfig(8, TargetModules.of("q_proj"), 11, false, 0, 0.1, true, "none",
                java.util.List.of(), java.util.List.of(), java.util.List.of(), java.util.Map.of());
        Tensor[] ab = VeraMethod.projections(c, new long[] {64, 64});
        try (SafetensorsFile f = SafetensorsFile.open(FIXTURE); Tensor a = ab[0]; Tensor b = ab[1]) {
            assertArrayEquals(read(f, "vera_A_key11"), a.toFloatArray());
            assertArrayEquals(read(f, "vera_B_key11"), b.toFloatArray());
        }
    }
}
