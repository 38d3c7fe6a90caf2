package org.wegeft.cli.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.wegeft.kernels.io.AtomicFiles;

/**
 * A labelled scatter plot drawn with Java2D into a PNG (headless): title, axis labels, a linear or log₁₀ x axis,
 * a linear y axis with "nice" ticks, grid lines, each point with an optional vertical error bar and its label placed
 * beside it (moved up or down when it would overlap an earlier label), and series drawn as lines in one colour each,
 * named at their last point ({@link #line}). Several plots can share one PNG side by side ({@link #writeSideBySide}).
 *
 * <pre>
 * new ScatterPlot("Accuracy vs trainable parameters", "trainable parameters", "test accuracy (%)", true)
 *     .add(4042, 91.2, "WeGeFT").add(25546, 91.5, "LoRA")
 *     .write(Path.of("plot.png"), 800, 520);
 * </pre>
 */
public final class ScatterPlot {
    private static final Color[] PALETTE = {new Color(0xD62728), new Color(0x1F77B4), new Color(0x2CA02C),
        new Color(0x9467BD), new Color(0xFF7F0E), new Color(0x8C564B), new Color(0xE377C2), new Color(0x17BECF)};

    /** One point, the half-height of its error bar (0: none) and its label. */
    public record Point(double x, double y, double yErr, String label) {}

    /** A series: its points in drawing order, joined by a line. */
    public record Series(String name, double[] x, double[] y) {}

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final boolean logX;
    private final List<Point> points = new ArrayList<>();
    private final List<Series> series = new ArrayList<>();

    public ScatterPlot(String title, String xLabel, String yLabel, boolean logX) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.logX = logX;
    }

    /** Adds a point; on a log x axis x must be positive. */
    public ScatterPlot add(double x, double y, String label) {
        return add(x, y, 0, label);
    }

    /** Adds a point with an error bar from y − yErr to y + yErr. */
    public ScatterPlot add(double x, double y, double yErr, String label) {
        if (!Double.isFinite(x) || !Double.isFinite(y) || !(yErr >= 0 && Double.isFinite(yErr)) || (logX && x <= 0)) {
            throw new IllegalArgumentException("point '" + label + "' (" + x + ", " + y + " ± " + yErr
                    + ") cannot be drawn" + (logX ? " on a log x axis" : ""));
        }
        points.add(new Point(x, y, yErr, label));
        return this;
    }

    public List<Point> points() {
        return List.copyOf(points);
    }

    /** Adds a series drawn as a line through (x[i], y[i]) in order, in its own colour, named at its last point. */
    public ScatterPlot line(String name, double[] x, double[] y) {
        if (x.length != y.length || x.length == 0) {
            throw new IllegalArgumentException("series '" + name + "': " + x.length + " x values and " + y.length
                    + " y values (need as many, at least one)");
        }
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i]) || !Double.isFinite(y[i]) || (logX && x[i] <= 0)) {
                throw new IllegalArgumentException("series '" + name + "': point (" + x[i] + ", " + y[i]
                        + ") cannot be drawn" + (logX ? " on a log x axis" : ""));
            }
        }
        series.add(new Series(name, x.clone(), y.clone()));
        return this;
    }

    public List<Series> series() {
        return List.copyOf(series);
    }

    /** Draws the plot into a new {@code width}×{@code height} RGB image. */
    public BufferedImage render(int width, int height) {
        if (width < 200 || height < 150) {
            throw new IllegalArgumentException("plot size " + width + "x" + height + " is below 200x150");
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            draw(g, width, height);
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Renders and writes a PNG atomically (temporary file, then rename). */
    public void write(Path png, int width, int height) throws IOException {
        writePng(render(width, height), png);
    }

    /** Draws {@code plots} side by side, each {@code panelWidth}×{@code height}, into one PNG (written atomically). */
    public static void writeSideBySide(Path png, int panelWidth, int height, ScatterPlot... plots) throws IOException {
        BufferedImage img = new BufferedImage(panelWidth * plots.length, height, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < plots.length; i++) {
            BufferedImage panel = plots[i].render(panelWidth, height);
            img.getRaster().setRect(i * panelWidth, 0, panel.getRaster());
        }
        writePng(img, png);
    }

    private static void writePng(BufferedImage img, Path png) throws IOException {
        Path dir = png.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        AtomicFiles.writeStream(png, out -> {
            if (!ImageIO.write(img, "png", out)) {
                throw new IOException("no PNG writer available for " + png);
            }
        });
    }

    private void draw(Graphics2D g, int w, int h) {
        Font base = new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(11, h / 40));
        Font titleFont = base.deriveFont(Font.BOLD, base.getSize2D() * 1.35f);
        int left = (int) (base.getSize() * 6.0);
        int right = (int) (base.getSize() * 2.0);
        int top = (int) (titleFont.getSize() * 2.6);
        int bottom = (int) (base.getSize() * 4.4);
        Rectangle2D.Double area = new Rectangle2D.Double(left, top, w - left - right, h - top - bottom);

        double[] allX = java.util.stream.DoubleStream.concat(points.stream().mapToDouble(Point::x),
                series.stream().flatMapToDouble(l -> java.util.Arrays.stream(l.x()))).toArray();
        double[] allY = java.util.stream.DoubleStream.concat(points.stream().flatMapToDouble(
                p -> java.util.stream.DoubleStream.of(p.y() - p.yErr(), p.y() + p.yErr())),
                series.stream().flatMapToDouble(l -> java.util.Arrays.stream(l.y()))).toArray();
        Axis xs = logX ? Axis.log(allX) : Axis.linear(allX);
        Axis ys = Axis.linear(allY);

        // title and axis labels
        g.setColor(Color.BLACK);
        g.setFont(titleFont);
        centered(g, title, w / 2.0, titleFont.getSize() * 1.6);
        g.setFont(base);
        centered(g, xLabel, area.getCenterX(), h - base.getSize() * 0.9);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        centered(g, yLabel, -area.getCenterY(), base.getSize() * 1.4);
        g.setTransform(saved);

        // grid, ticks and tick labels
        FontMetrics fm = g.getFontMetrics();
        g.setStroke(new BasicStroke(1f));
        for (double t : xs.ticks()) {
            double px = area.x + xs.fraction(t) * area.width;
            g.setColor(new Color(0xE6E6E6));
            g.drawLine((int) px, (int) area.y, (int) px, (int) area.getMaxY());
            g.setColor(Color.DARK_GRAY);
            g.drawLine((int) px, (int) area.getMaxY(), (int) px, (int) area.getMaxY() + 5);
            centered(g, xs.format(t), px, area.getMaxY() + 8 + fm.getAscent());
        }
        for (double t : ys.ticks()) {
            double py = area.getMaxY() - ys.fraction(t) * area.height;
            g.setColor(new Color(0xE6E6E6));
            g.drawLine((int) area.x, (int) py, (int) area.getMaxX(), (int) py);
            g.setColor(Color.DARK_GRAY);
            g.drawLine((int) area.x - 5, (int) py, (int) area.x, (int) py);
            String s = ys.format(t);
            g.drawString(s, (float) (area.x - 8 - fm.stringWidth(s)), (float) (py + fm.getAscent() / 2.0 - 1));
        }
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1.5f));
        g.draw(area);

        // series as lines, then points, then labels placed clear of every point and of the labels placed before
        double r = Math.max(4, h / 110.0);
        double[][] at = new double[points.size()][];
        List<Rectangle2D> obstacles = new ArrayList<>();
        double[][] ends = new double[series.size()][];
        g.setStroke(new BasicStroke(2f));
        for (int i = 0; i < series.size(); i++) {
            Series l = series.get(i);
            java.awt.geom.Path2D.Double path = new java.awt.geom.Path2D.Double();
            for (int j = 0; j < l.x().length; j++) {
                double px = area.x + xs.fraction(l.x()[j]) * area.width;
                double py = area.getMaxY() - ys.fraction(l.y()[j]) * area.height;
                if (j == 0) {
                    path.moveTo(px, py);
                } else {
                    path.lineTo(px, py);
                }
                ends[i] = new double[] {px, py};
            }
            g.setColor(PALETTE[i % PALETTE.length]);
            g.draw(path);
            obstacles.add(new Rectangle2D.Double(ends[i][0] - 2, ends[i][1] - 2, 4, 4));
        }
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            at[i] = new double[] {area.x + xs.fraction(p.x()) * area.width,
                area.getMaxY() - ys.fraction(p.y()) * area.height};
            obstacles.add(new Rectangle2D.Double(at[i][0] - r - 1, at[i][1] - r - 1, 2 * r + 2, 2 * r + 2));
            Color c = PALETTE[i % PALETTE.length];
            if (p.yErr() > 0) {
                double lo = area.getMaxY() - ys.fraction(p.y() - p.yErr()) * area.height;
                double hi = area.getMaxY() - ys.fraction(p.y() + p.yErr()) * area.height;
                g.setColor(c.darker());
                g.setStroke(new BasicStroke(1.5f));
                g.draw(new java.awt.geom.Line2D.Double(at[i][0], lo, at[i][0], hi));
                g.draw(new java.awt.geom.Line2D.Double(at[i][0] - r, lo, at[i][0] + r, lo));
                g.draw(new java.awt.geom.Line2D.Double(at[i][0] - r, hi, at[i][0] + r, hi));
                obstacles.add(new Rectangle2D.Double(at[i][0] - r, hi, 2 * r, lo - hi));
            }
            g.setColor(c);
            g.fill(new Ellipse2D.Double(at[i][0] - r, at[i][1] - r, 2 * r, 2 * r));
            g.setColor(c.darker());
            g.draw(new Ellipse2D.Double(at[i][0] - r, at[i][1] - r, 2 * r, 2 * r));
        }
        for (int i = 0; i < series.size(); i++) {
            Rectangle2D box = seriesLabelBox(fm, series.get(i).name(), ends[i][0], ends[i][1], area, obstacles);
            obstacles.add(box);
            g.setColor(PALETTE[i % PALETTE.length].darker());
            g.drawString(series.get(i).name(), (float) box.getX(), (float) (box.getY() + fm.getAscent()));
        }
        g.setColor(Color.BLACK);
        for (int i = 0; i < points.size(); i++) {
            Rectangle2D box = labelBox(fm, points.get(i).label(), at[i][0], at[i][1], r, area, obstacles);
            obstacles.add(box);
            g.drawString(points.get(i).label(), (float) box.getX(), (float) (box.getY() + fm.getAscent()));
        }
    }

    /**
     * Right of the point, else left of it, at the point's height or nudged up/down by half a line at a time: the
     * first box inside the plot area that touches no obstacle (points, earlier labels).
     */
    private static Rectangle2D labelBox(FontMetrics fm, String s, double px, double py, double r,
            Rectangle2D.Double area, List<Rectangle2D> obstacles) {
        double tw = fm.stringWidth(s);
        double th = fm.getHeight();
        double[] xs = {px + r + 5, px - r - 5 - tw};
        for (int k = 0; k < 16; k++) {
            double dy = (k + 1) / 2 * (th / 2) * (k % 2 == 0 ? 1 : -1);
            for (double x : xs) {
                double y = py - th / 2 + dy;
                Rectangle2D box = new Rectangle2D.Double(x, y, tw, th);
                boolean inside = x >= area.x + 2 && x + tw <= area.getMaxX() - 2 && y >= area.y + 2
                        && y + th <= area.getMaxY() - 2;
                if (inside && obstacles.stream().noneMatch(b -> b.intersects(box))) {
                    return box;
                }
            }
        }
        double x = xs[0] + tw <= area.getMaxX() - 2 ? xs[0] : xs[1];
        return new Rectangle2D.Double(x, py - th / 2, tw, th);
    }

    /** Above the line's last point, its right edge there, else below it, else where {@link #labelBox} finds room. */
    private static Rectangle2D seriesLabelBox(FontMetrics fm, String s, double px, double py, Rectangle2D.Double area,
            List<Rectangle2D> obstacles) {
        double tw = fm.stringWidth(s);
        double th = fm.getHeight();
        double x = Math.max(area.x + 2, px - tw);
        for (double y : new double[] {py - th - 3, py + 3}) {
            Rectangle2D box = new Rectangle2D.Double(x, y, tw, th);
            if (y >= area.y + 2 && y + th <= area.getMaxY() - 2 && obstacles.stream().noneMatch(b -> b.intersects(box))) {
                return box;
            }
        }
        return labelBox(fm, s, px, py, 2, area, obstacles);
    }

    private static void centered(Graphics2D g, String s, double cx, double baseline) {
        FontMetrics fm = g.getFontMetrics();
        g.drawString(s, (float) (cx - fm.stringWidth(s) / 2.0), (float) baseline);
    }

    /** A data range with padding and tick positions. */
    private record Axis(double lo, double hi, boolean log, List<Double> ticks) {
        static Axis linear(double[] v) {
            double min = v.length == 0 ? 0 : java.util.Arrays.stream(v).min().orElse(0);
            double max = v.length == 0 ? 1 : java.util.Arrays.stream(v).max().orElse(1);
            if (max - min < 1e-9) {
                min -= 1;
                max += 1;
            }
            double pad = 0.08 * (max - min);
            min -= pad;
            max += pad;
            double step = niceStep((max - min) / 8);
            List<Double> ticks = new ArrayList<>();
            for (double t = Math.ceil(min / step) * step; t <= max + 1e-9; t += step) {
                ticks.add(Math.abs(t) < step * 1e-9 ? 0.0 : t);
            }
            return new Axis(min, max, false, ticks);
        }

        static Axis log(double[] v) {
            double min = v.length == 0 ? 1 : java.util.Arrays.stream(v).min().orElse(1);
            double max = v.length == 0 ? 10 : java.util.Arrays.stream(v).max().orElse(10);
            double lo = Math.floor(Math.log10(min) - 0.15);
            double hi = Math.ceil(Math.log10(max) + 0.15);
            if (hi - lo < 1) {
                hi = lo + 1;
            }
            List<Double> ticks = new ArrayList<>();
            for (double e = lo; e <= hi + 1e-9; e++) {
                ticks.add(Math.pow(10, e));
            }
            return new Axis(lo, hi, true, ticks);
        }

        double fraction(double value) {
            double v = log ? Math.log10(value) : value;
            return (v - lo) / (hi - lo);
        }

        String format(double t) {
            if (log) {
                return t >= 1e6 ? String.format(Locale.ROOT, "%.0fM", t / 1e6)
                        : t >= 1e3 ? String.format(Locale.ROOT, "%.0fk", t / 1e3)
                        : String.format(Locale.ROOT, "%.0f", t);
            }
            double step = ticks.size() > 1 ? ticks.get(1) - ticks.get(0) : 1;
            int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step) + 1e-9));
            return String.format(Locale.ROOT, "%." + decimals + "f", t);
        }

        private static double niceStep(double raw) {
            double mag = Math.pow(10, Math.floor(Math.log10(raw)));
            double n = raw / mag;
            return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * mag;
        }
    }
}
