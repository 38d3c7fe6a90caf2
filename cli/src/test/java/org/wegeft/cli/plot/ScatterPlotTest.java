package org.wegeft.cli.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScatterPlotTest {
    @TempDir
    Path dir;

    private static ScatterPlot sample(boolean logX) {
        return new ScatterPlot("Accuracy vs parameters", "trainable parameters", "accuracy (%)", logX)
                .add(970, 80.1, "linear probe").add(4042, 90.3, "WeGeFT").add(25546, 90.9, "LoRA")
                .add(615370, 92.0, "full");
    }

    @ParameterizedTest(name = "{0}x{1}, log x {2}")
    @CsvSource({"900, 560, true", "640, 400, false", "1200, 800, true"})
    void writesAPngOfTheRequestedSize(int w, int h, boolean logX) throws IOException {
        Path png = dir.resolve("plot.png");
        sample(logX).write(png, w, h);
        byte[] bytes = Files.readAllBytes(png);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(bytes, 4));
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(w, img.getWidth());
        assertEquals(h, img.getHeight());
        try (var s = Files.list(dir)) {
            assertEquals(List.of("plot.png"), s.map(p -> p.getFileName().toString()).toList(), "no temporary left");
        }
    }

    @Test
    void drawsEachPointInItsOwnColourAtItsPosition() {
        ScatterPlot one = new ScatterPlot("t", "x", "y", true).add(100, 50, "a").add(10000, 60, "b");
        BufferedImage img = one.render(800, 500);
        // the first point (palette red) lies left of the second (palette blue)
        int[] red = centroid(img, 0xD62728);
        int[] blue = centroid(img, 0x1F77B4);
        assertTrue(red[0] > 0 && blue[0] > 0, "both points drawn");
        assertTrue(red[0] < blue[0], "log x: 100 left of 10,000");
        assertTrue(red[1] > blue[1], "y: 50 below 60");
    }

    private static int[] centroid(BufferedImage img, int rgb) {
        long sx = 0;
        long sy = 0;
        long n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xFFFFFF) == rgb) {
                    sx += x;
                    sy += y;
                    n++;
                }
            }
        }
        return n == 0 ? new int[] {-1, -1} : new int[] {(int) (sx / n), (int) (sy / n)};
    }

    @Test
    void drawsEachSeriesAsOneLineInOneColour() {
        // a rising red line and a flat blue one below it: red pixels span the width and climb, blue ones stay level
        ScatterPlot p = new ScatterPlot("t", "step", "MiB", false)
                .line("rising", new double[] {0, 1, 2, 3}, new double[] {10, 20, 30, 40})
                .line("flat", new double[] {0, 1, 2, 3}, new double[] {5, 5, 5, 5});
        BufferedImage img = p.render(800, 500);
        int[] redLeft = centroid(img.getSubimage(0, 0, 400, 500), 0xD62728);
        int[] redRight = centroid(img.getSubimage(400, 0, 400, 500), 0xD62728);
        int[] blueLeft = centroid(img.getSubimage(0, 0, 400, 500), 0x1F77B4);
        int[] blueRight = centroid(img.getSubimage(400, 0, 400, 500), 0x1F77B4);
        assertTrue(redLeft[0] >= 0 && redRight[0] >= 0 && blueLeft[0] >= 0 && blueRight[0] >= 0,
                "both lines cross the plot");
        assertTrue(redRight[1] < redLeft[1] - 50, "the rising series climbs: " + redLeft[1] + " → " + redRight[1]);
        assertTrue(Math.abs(blueRight[1] - blueLeft[1]) <= 2, "the flat series stays level");
        assertTrue(blueLeft[1] > redLeft[1], "5 is drawn below 10");
        assertEquals(2, p.series().size());
    }

    @Test
    void rejectsASeriesItCannotDraw() {
        ScatterPlot p = new ScatterPlot("t", "x", "y", true);
        assertThrows(IllegalArgumentException.class, () -> p.line("empty", new double[0], new double[0]));
        assertThrows(IllegalArgumentException.class, () -> p.line("ragged", new double[] {1, 2}, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> p.line("log zero", new double[] {0, 1}, new double[] {1, 1}));
    }

    @Test
    void rejectsPointsALogAxisCannotShow() {
        ScatterPlot p = new ScatterPlot("t", "x", "y", true);
        assertThrows(IllegalArgumentException.class, () -> p.add(0, 1, "zero"));
        assertThrows(IllegalArgumentException.class, () -> p.add(Double.NaN, 1, "nan"));
        assertThrows(IllegalArgumentException.class, () -> p.render(100, 100));
    }
}
