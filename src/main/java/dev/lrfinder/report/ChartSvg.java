package dev.lrfinder.report;

import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import java.awt.Font;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.XYStyler;

/**
 * A chart as an SVG element to put inline in the report's page: vector lines and markers, its
 * labels kept as text ({@link TextOutlines}), no reference to anything outside it.
 */
final class ChartSvg {
  private static final Pattern TAG = Pattern.compile("<[^>]*>");
  /** Coordinates with more than 2 decimals: a hundredth of a pixel is finer than any screen. */
  private static final Pattern LONG_NUMBER = Pattern.compile("(-?\\d+\\.\\d{2})\\d+");
  private static final Pattern FONT_FAMILY = Pattern.compile("font-family:&quot;[^&;]*&quot;");
  private static final Pattern ID = Pattern.compile("id=\"([^\"]+)\"");

  private ChartSvg() {}

  /**
   * {@code chart} as an {@code <svg>} element for an HTML page: without the XML prolog and the
   * namespace declarations (the HTML parser supplies them), its element ids prefixed with
   * {@code idPrefix} so that several charts on one page keep theirs apart, {@code label} as
   * its accessible name; 1200x800 at its natural size and scalable by CSS (it has a viewBox).
   */
  static String inline(XYChart chart, String idPrefix, String label) {
    String svg = svg(chart);
    svg = svg.substring(svg.indexOf("<svg"));
    svg = svg.replaceFirst("<svg [^>]*>", "<svg viewBox=\"0 0 " + chart.getWidth() + " "
        + chart.getHeight() + "\" width=\"" + chart.getWidth() + "\" height=\""
        + chart.getHeight() + "\" role=\"img\" aria-label=\"" + Format.html(label) + "\">");
    Matcher ids = ID.matcher(svg);
    while (ids.find()) {
      String id = ids.group(1);
      svg = svg.replace("\"" + id + "\"", "\"" + idPrefix + id + "\"")
          .replace("url(#" + id + ")", "url(#" + idPrefix + id + ")");
    }
    // The font as Java found it ("DejaVu Sans"), then the generic family where it is missing.
    svg = FONT_FAMILY.matcher(svg).replaceAll("$0,sans-serif");
    // Only inside tags: a label such as 0.0351 is text and stays as drawn.
    Matcher tags = TAG.matcher(svg);
    StringBuilder out = new StringBuilder(svg.length());
    while (tags.find()) {
      tags.appendReplacement(out,
          Matcher.quoteReplacement(LONG_NUMBER.matcher(tags.group()).replaceAll("$1")));
    }
    tags.appendTail(out);
    return out.toString().strip();
  }

  /** {@code chart} as a standalone SVG document. */
  static String svg(XYChart chart) {
    ChartStyle.fitLegend(chart);
    XYStyler styler = chart.getStyler();
    List<Font> fonts = List.of(styler.getChartTitleFont(), styler.getAxisTitleFont(),
        styler.getAxisTickLabelsFont(), styler.getLegendFont());
    List<String> labels = new ArrayList<>(List.of(chart.getTitle(), chart.getXAxisTitle(),
        chart.getYAxisTitle()));
    chart.getSeriesMap().values().stream().filter(XYSeries::isShowInLegend)
        .forEach(s -> labels.add(s.getName()));
    TextKeeping graphics = new TextKeeping(fonts, labels);
    chart.paint(graphics, chart.getWidth(), chart.getHeight());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      new SVGProcessor().getDocument(graphics.getCommands(),
          new PageSize(0, 0, chart.getWidth(), chart.getHeight())).writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static final class TextKeeping extends VectorGraphics2D {
    private static final AffineTransform QUARTER_LEFT =
        AffineTransform.getRotateInstance(-Math.PI / 2);
    private static final AffineTransform QUARTER_RIGHT =
        AffineTransform.getRotateInstance(Math.PI / 2);
    private final List<Font> fonts;
    private final List<String> labels;
    private TextOutlines outlines;

    TextKeeping(List<Font> fonts, List<String> labels) {
      this.fonts = fonts;
      this.labels = labels;
    }

    @Override
    public void fill(Shape shape) {
      if (outlines == null) {
        outlines = new TextOutlines(fonts, getFontRenderContext(), labels);
      }
      Optional<TextOutlines.Text> text = outlines.read(shape);
      if (text.isPresent()) {
        write(text.get(), null);
        return;
      }
      // The y axis title is laid out flat, then turned a quarter to the left.
      text = outlines.read(QUARTER_RIGHT.createTransformedShape(shape));
      if (text.isPresent()) {
        write(text.get(), QUARTER_LEFT);
        return;
      }
      super.fill(shape);
    }

    private void write(TextOutlines.Text text, AffineTransform turn) {
      Font font = getFont();
      AffineTransform transform = getTransform();
      if (turn != null) {
        transform(turn);
      }
      setFont(text.font());
      drawString(text.text(), text.x(), 0f);
      setFont(font);
      setTransform(transform);
    }
  }
}
