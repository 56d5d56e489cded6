package dev.lrfinder.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.OutputStream;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The look shared by the report's charts: size, fonts, colours per optimizer, series styles. */
final class ChartStyle {
  static final int WIDTH = 1200;
  static final int HEIGHT = 800;

  /** Tableau 10: distinct hues that stay apart for the common kinds of colour blindness. */
  private static final int[] PALETTE = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
      0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
  private static final int FAINT_ALPHA = 60;
  private static final String FONT = Font.SANS_SERIF;

  private ChartStyle() {}

  /** The colour of the {@code index}-th optimizer (the palette repeats after 10). */
  static Color color(int index) {
    return new Color(PALETTE[Math.floorMod(index, PALETTE.length)]);
  }

  /** The colour of the {@code index}-th optimizer as CSS, e.g. {@code #1f77b4}. */
  static String cssColor(int index) {
    return String.format(java.util.Locale.ROOT, "#%06x", color(index).getRGB() & 0xffffff);
  }

  /** {@code color}, mostly transparent: for raw losses under their smoothed line. */
  static Color faint(Color color) {
    return new Color(color.getRed(), color.getGreen(), color.getBlue(), FAINT_ALPHA);
  }

  /** {@code color} darkened, so that markers stand out on a line of the same hue. */
  static Color dark(Color color) {
    return new Color(color.getRed() * 3 / 5, color.getGreen() * 3 / 5, color.getBlue() * 3 / 5);
  }

  /** A white 1200x800 line chart with the legend right of the plot. */
  static XYChart chart(String title, String xTitle, String yTitle) {
    return chart(title, xTitle, yTitle, WIDTH, HEIGHT);
  }

  /** As {@link #chart(String, String, String)}, {@code width} by {@code height} pixels. */
  static XYChart chart(String title, String xTitle, String yTitle, int width, int height) {
    XYChart chart = new XYChart(width, height);
    chart.setTitle(title);
    chart.setXAxisTitle(xTitle);
    chart.setYAxisTitle(yTitle);
    XYStyler styler = chart.getStyler();
    styler.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotBackgroundColor(Color.WHITE);
    styler.setPlotBorderColor(new Color(0x999999));
    styler.setPlotGridLinesColor(new Color(0xebebeb));
    // Solid: XChart fills a dashed grid line as one rectangle per dash, which the SVG would
    // carry as thousands of path segments; a shade lighter than the dashes were, to read alike.
    styler.setPlotGridLinesStroke(new BasicStroke(1f));
    styler.setChartTitleBoxVisible(false);
    styler.setChartTitleFont(new Font(FONT, Font.BOLD, 20));
    styler.setAxisTitleFont(new Font(FONT, Font.PLAIN, 16));
    styler.setAxisTickLabelsFont(new Font(FONT, Font.PLAIN, 14));
    styler.setLegendFont(new Font(FONT, Font.PLAIN, 14));
    styler.setLegendPosition(Styler.LegendPosition.OutsideE);
    styler.setLegendBorderColor(new Color(0xcccccc));
    styler.setLegendSeriesLineLength(28);
    styler.setMarkerSize(11);
    styler.setChartPadding(12);
    styler.setPlotMargin(4);
    styler.setAntiAlias(true);
    styler.setToolTipsEnabled(false);
    styler.setLocale(java.util.Locale.ROOT);
    styler.setYAxisLabelAlignment(AxesChartStyler.TextAlignment.Right);
    return chart;
  }

  /** A line without markers. */
  static XYSeries line(XYChart chart, String name, double[] xs, double[] ys, Color color,
      float width) {
    XYSeries series = chart.addSeries(name, xs, ys);
    series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    series.setMarker(SeriesMarkers.NONE);
    series.setLineColor(color);
    series.setLineStyle(new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    return series;
  }

  /** A dashed thin line left out of the legend, for references such as zero or the plan. */
  static XYSeries dashed(XYChart chart, String name, double[] xs, double[] ys, Color color) {
    XYSeries series = line(chart, name, xs, ys, color, 1.5f);
    series.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
        new float[] {8f, 6f}, 0f));
    return series;
  }

  /** Single points drawn as {@code marker} only. */
  static XYSeries points(XYChart chart, String name, double[] xs, double[] ys, Color color,
      Marker marker) {
    XYSeries series = chart.addSeries(name, xs, ys);
    series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    series.setMarker(marker);
    series.setMarkerColor(color);
    return series;
  }

  /**
   * Shrinks the legend font when many entries (8 optimizers with 3 markers each) would not fit
   * the chart's height at the usual size.
   */
  static void fitLegend(XYChart chart) {
    long entries = chart.getSeriesMap().values().stream().filter(XYSeries::isShowInLegend).count();
    int size = entries <= 24 ? 14 : entries <= 30 ? 13 : 12;
    chart.getStyler().setLegendFont(new Font(FONT, Font.PLAIN, size));
    chart.getStyler().setLegendPadding(entries <= 24 ? 10 : 6);
  }

  /** {@code chart} encoded as PNG, its legend fitted. */
  static byte[] png(XYChart chart) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(1 << 17);
    save(chart, out);
    return out.toByteArray();
  }

  /** Encodes {@code chart} as PNG into {@code out}, which stays open; its legend fitted. */
  static void save(XYChart chart, OutputStream out) throws IOException {
    fitLegend(chart);
    // What BitmapEncoder.saveBitmap does, but through an in-memory image stream: ImageIO's
    // default file cache leaves a temporary file behind on a halt, and after a failed write (a
    // full disk) its exit hook dies with a stack trace (NullPointerException in StreamCloser).
    try (ImageOutputStream image = new MemoryCacheImageOutputStream(out)) {
      if (!ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", image)) {
        throw new IllegalStateException("no PNG writer in this Java runtime");
      }
    }
  }
}
