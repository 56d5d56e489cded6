package dev.lrfinder.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.mustachejava.DefaultMustacheFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;

/**
 * The first use of everything a report needs, on a small chart that is never written: Java2D and
 * the fonts, XChart, the PNG writer, JFreeSVG and the glyph outlines, the page's template and
 * Jackson. Their first use costs up to a second (class loading, first compiles), a tenth of that
 * afterwards; a command that will write a report can run this on an idle core while it loads the
 * model. It touches no file and no state of the report writer.
 */
public final class ReportWarmup {
  private ReportWarmup() {}

  /** Draws, encodes and renders a small chart once, and compiles the page's template. */
  public static void run() {
    XYChart chart = new XYChart(240, 160);
    chart.setTitle("warm-up");
    chart.setXAxisTitle("learning rate");
    chart.setYAxisTitle("loss");
    chart.getStyler().setXAxisLogarithmic(true);
    ChartStyle.line(chart, "loss", new double[] {1e-7, 1e-3, 10}, new double[] {2.3, 1.5, 4.0},
        java.awt.Color.BLUE, 2f);
    try {
      ChartStyle.png(chart);
      ChartSvg.inline(List.of(chart), List.of("warm-up"));
      new DefaultMustacheFactory(HtmlReport.TEMPLATES).compile(HtmlReport.TEMPLATE);
      new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(
          Map.of("warm-up", List.of(1.5, Double.valueOf(2))));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in memory: does not happen
    }
  }
}
