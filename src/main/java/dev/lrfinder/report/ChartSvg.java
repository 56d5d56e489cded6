package dev.lrfinder.report;

import java.awt.Font;
import java.awt.font.FontRenderContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jfree.svg.SVGGraphics2D;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.XYStyler;

/**
 * The charts as SVG elements to put inline in the report's page (JFreeSVG): vector lines and
 * markers, labels kept as text ({@link TextOutlines}), nothing outside the element referred to.
 */
final class ChartSvg {
  private ChartSvg() {}

  /**
   * Each chart as an {@code <svg>} element for an HTML page, its legend fitted
   * ({@link ChartStyle#fitLegend}): without namespace declarations (the HTML parser supplies
   * them), ids prefixed {@code chart-<n>-} so that the charts of one page keep theirs apart,
   * {@code labels.get(i)} as the accessible name; sized as the chart (1200x800) with a viewBox,
   * so CSS can scale it.
   */
  static List<String> inline(List<XYChart> charts, List<String> labels) {
    charts.forEach(ChartStyle::fitLegend);
    TextOutlines outlines = outlines(charts, new SVGGraphics2D(1, 1).getFontRenderContext());
    List<String> svgs = new ArrayList<>();
    for (int i = 0; i < charts.size(); i++) {
      svgs.add(inline(charts.get(i), outlines, "chart-" + (i + 1) + "-", labels.get(i)));
    }
    return svgs;
  }

  /** One glyph table for every font and label of {@code charts}. */
  private static TextOutlines outlines(List<XYChart> charts, FontRenderContext context) {
    Set<Font> fonts = new LinkedHashSet<>();
    List<String> labels = new ArrayList<>();
    for (XYChart chart : charts) {
      XYStyler styler = chart.getStyler();
      fonts.addAll(List.of(styler.getChartTitleFont(), styler.getAxisTitleFont(),
          styler.getAxisTickLabelsFont(), styler.getLegendFont()));
      labels.addAll(List.of(chart.getTitle(), chart.getXAxisTitle(), chart.getYAxisTitle()));
      chart.getSeriesMap().values().stream().filter(XYSeries::isShowInLegend)
          .forEach(s -> labels.add(s.getName()));
    }
    return new TextOutlines(List.copyOf(fonts), context, labels);
  }

  private static String inline(XYChart chart, TextOutlines outlines, String idPrefix,
      String label) {
    int width = chart.getWidth();
    int height = chart.getHeight();
    SVGGraphics2D svg = new SVGGraphics2D(width, height);
    svg.setDefsKeyPrefix(idPrefix);
    // A hundredth of a pixel is finer than any screen; full doubles would double the size.
    svg.setGeomDoubleConverter(ChartSvg::hundredths);
    svg.setTransformDoubleConverter(ChartSvg::hundredths);
    svg.setFontFunction(ChartSvg::cssFontFamily);
    chart.paint(new TextKeepingGraphics(svg, outlines), width, height);
    String element = svg.getSVGElement(null, false, null, null, null);
    // The opening tag as HTML wants it: no namespaces (the HTML parser knows <svg>), a size
    // CSS may scale and a name for screen readers.
    return "<svg viewBox=\"0 0 " + width + " " + height + "\" width=\"" + width + "\" height=\""
        + height + "\" role=\"img\" aria-label=\"" + Format.html(label) + "\">"
        + element.substring(element.indexOf('>') + 1);
  }

  /**
   * The CSS font list for a Java font family. XChart measured and placed every label in Java's
   * sans-serif, which is DejaVu Sans on Linux: the browser gets that font first, then the
   * closest in width (Verdana), then its own sans-serif. The style attribute JFreeSVG writes is
   * in single quotes, hence the double ones.
   */
  private static String cssFontFamily(String family) {
    return switch (family) {
      case Font.SANS_SERIF, Font.DIALOG -> "\"DejaVu Sans\", Verdana, sans-serif";
      case Font.SERIF -> "serif";
      case Font.MONOSPACED, Font.DIALOG_INPUT -> "monospace";
      default -> "\"" + family.replace("\"", "") + "\", sans-serif";
    };
  }

  private static String hundredths(double value) {
    double rounded = Math.round(value * 100) / 100.0;
    return rounded == Math.rint(rounded) && Math.abs(rounded) < 1e15
        ? Long.toString((long) rounded) : Double.toString(rounded);
  }
}
