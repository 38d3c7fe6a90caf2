package org.wegeft.kernels.scalar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.wegeft.kernels.TestBuffers.assertClose;
import static org.wegeft.kernels.TestBuffers.floats;
import static org.wegeft.kernels.TestBuffers.toArray;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.wegeft.kernels.UnaryOp;

/**
 * Unary kernels against PyTorch numbers. The double constants below were computed in float64 with PyTorch 1.13
 * by tools/fixtures/scalar_reference_values.py and pasted here.
 */
class ScalarUnaryReferenceTest {
    private static final double[] X = {-5.0, -2.5, -1.0, -0.3, 0.0, 0.7, 1.5, 3.0};
    private static final double[] TORCH_ERF = {-0.9999999999984626, -0.999593047982555, -0.8427007929497149,
        -0.3286267594591274, 0.0, 0.6778011938374184, 0.9661051464753108, 0.9999779095030014};
    private static final double[] TORCH_GELU = {-1.4332578593401202e-06, -0.015524163314440398,
        -0.15865525393145702, -0.1146265733433142, 0.0, 0.5306254434438489, 1.399789198096713, 2.99595030590511};
    private static final double[] TORCH_GELU_TANH = {-2.2917961972623857e-07, -0.015084266089998577,
        -0.1588080093917233, -0.11462907645724074, 0.0, 0.5305701347051167, 1.3995715769802328, 2.996362607918227};
    private static final double[] TORCH_SILU = {-0.03346425462142428, -0.18964545005310887, -0.2689414213699951,
        -0.1276672449565023, 0.0, 0.46773144051771626, 1.2263617142904655, 2.8577223804672998};
    private static final double[] TORCH_SIGMOID = {0.0066928509242848554, 0.07585818002124355, 0.2689414213699951,
        0.425557483188341, 0.5, 0.6681877721681662, 0.8175744761936437, 0.9525741268224334};

    @Test
    void erfMatchesTorchToDoublePrecision() {
        for (int i = 0; i < X.length; i++) {
            assertEquals(TORCH_ERF[i], ScalarMath.erf(X[i]), 1e-15, "erf(" + X[i] + ")");
        }
    }

    @Test
    void erfcKeepsRelativePrecisionInTheTail() {
        // erfc(x) = 1 − erf(x); far out, compare with the asymptotic series e^(−x²)/(x√π)·(1 − 1/(2x²) + 3/(4x⁴))
        for (double x : new double[] {4.0, 6.0, 10.0}) {
            double asym = Math.exp(-x * x) / (x * Math.sqrt(Math.PI))
                    * (1 - 1 / (2 * x * x) + 3 / (4 * x * x * x * x) - 15 / (8 * Math.pow(x, 6)));
            assertEquals(1.0, ScalarMath.erfc(x) / asym, 2e-3, "erfc(" + x + ")");
        }
        assertEquals(2.0 - ScalarMath.erfc(0.5), ScalarMath.erfc(-0.5), 1e-15);
    }

    static Stream<Arguments> torchValues() {
        return Stream.of(Arguments.of(UnaryOp.GELU_ERF, TORCH_GELU), Arguments.of(UnaryOp.GELU_TANH, TORCH_GELU_TANH),
                Arguments.of(UnaryOp.SILU, TORCH_SILU), Arguments.of(UnaryOp.SIGMOID, TORCH_SIGMOID));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("torchValues")
    void unaryMatchesTorch(UnaryOp op, double[] expected) {
        float[] x = new float[X.length];
        float[] want = new float[X.length];
        for (int i = 0; i < X.length; i++) {
            x[i] = (float) X[i];
            want[i] = (float) expected[i];
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment y = floats(arena, new float[X.length]);
            new ScalarBackend().unary(op, floats(arena, x), y, X.length);
            assertClose(op.name(), want, toArray(y, X.length), 0, 2e-7);
        }
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryInPlaceEqualsOutOfPlace(UnaryOp op) {
        float[] x = {0.25f, 0.5f, 1.5f, 3f, 7f};
        try (Arena arena = Arena.ofConfined()) {
            var scalar = new ScalarBackend();
            MemorySegment y = floats(arena, new float[x.length]);
            scalar.unary(op, floats(arena, x), y, x.length);
            MemorySegment inPlace = floats(arena, x);
            scalar.unary(op, inPlace, inPlace, x.length);
            assertClose(op.name(), toArray(y, x.length), toArray(inPlace, x.length), 0, 0);
        }
    }

    @Test
    void simpleOpsGiveExactValues() {
        float[] x = {4f, 0.25f};
        float[][] expected = {
            {-4f, -0.25f}, {4f, 0.25f}, {(float) Math.exp(4), (float) Math.exp(0.25)}, {(float) Math.log(4), (float) Math.log(0.25)},
            {2f, 0.5f}, {0.5f, 2f}, {0.25f, 4f}, {16f, 0.0625f}};
        UnaryOp[] ops = {UnaryOp.NEG, UnaryOp.ABS, UnaryOp.EXP, UnaryOp.LOG, UnaryOp.SQRT, UnaryOp.RSQRT,
            UnaryOp.RECIPROCAL, UnaryOp.SQUARE};
        try (Arena arena = Arena.ofConfined()) {
            for (int k = 0; k < ops.length; k++) {
                MemorySegment y = floats(arena, new float[2]);
                new ScalarBackend().unary(ops[k], floats(arena, x), y, 2);
                assertClose(ops[k].name(), expected[k], toArray(y, 2), 0, 0);
            }
            MemorySegment y = floats(arena, new float[3]);
            new ScalarBackend().unary(UnaryOp.RELU, floats(arena, -1f, 0f, 2f), y, 3);
            assertClose("RELU", new float[] {0f, 0f, 2f}, toArray(y, 3), 0, 0);
        }
    }
}
