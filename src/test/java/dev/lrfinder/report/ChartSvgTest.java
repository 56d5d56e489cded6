package dev.lrfinder.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.rangetest.OptimizerCurve;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;

class ChartSvgTest {
  private static List<String> svgs(ReportInput input) {
    List<XYChart> charts = Charts.drawers().values().stream().map(d -> d.apply(input)).toList();
    return ChartSvg.inline(charts, List.of("loss", "delta", "schedule"));
  }

  private static long glyphPaths(String svg) {
    return Pattern.compile("<path d='[^']{400,}'").matcher(svg).results().count();
  }

  @Test
  void namesOutsideAsciiStayTextToo() {
    OptimizerCurve curve = Fixtures.threeOptimizers().result().curves().get(0);
    OptimizerCurve renamed = new OptimizerCurve("адам-ü", curve.learningRates(),
        curve.trainLosses(), curve.losses(), curve.smoothedLosses(), curve.stopReason(),
        curve.plannedSteps(), curve.bestSmoothedLoss(), curve.seconds(), curve.secondsInModel());
    ReportInput input = Fixtures.input("modèle_1", Fixtures.config(), List.of(renamed));

    List<String> svgs = svgs(input);

    assertTrue(svgs.get(0).contains(">modèle_1: loss vs learning rate</text>"), svgs.get(0));
    assertTrue(svgs.get(0).contains(">адам-ü</text>"), () -> Pattern.compile(">[^<]+</text>").matcher(svgs.get(0)).results().map(m -> m.group()).toList().toString());
    svgs.forEach(svg -> assertEquals(0, glyphPaths(svg)));
  }

  @Test
  void aLabelItCannotReadStaysAShapeAndTheRestText() {
    // No font of this machine may have this character: drawn, it is a box or a fallback glyph.
    ReportInput input = Fixtures.input("m\uE000x", Fixtures.config(),
        Fixtures.threeOptimizers().result().curves());

    String loss = svgs(input).get(0);

    assertFalse(loss.contains(": loss vs learning rate</text>"), "the title is not guessed");
    assertTrue(loss.contains(">learning rate (log scale)</text>"), "the other labels are text");
    assertTrue(loss.startsWith("<svg viewBox=\"0 0 1200 800\""));
  }

  @Test
  void drawingSetsNoJvmProperty() throws Exception {
    java.util.Properties before = (java.util.Properties) System.getProperties().clone();

    new ReportWriter().write(Fixtures.threeOptimizers(), java.nio.file.Files.createTempDirectory(
        "lrfinder-props"), null);

    // java.awt.headless in particular belongs to the command line (cli.Main), not the library.
    // The JDK itself records its font manager and time zone when they first load.
    List<String> changed = System.getProperties().stringPropertyNames().stream()
        .filter(k -> !java.util.Objects.equals(before.getProperty(k), System.getProperty(k)))
        .filter(k -> !k.equals("sun.font.fontmanager") && !k.equals("user.timezone")).toList();
    assertEquals(List.of(), changed);
    assertEquals(before.getProperty("java.awt.headless"), System.getProperty("java.awt.headless"));
  }
}
