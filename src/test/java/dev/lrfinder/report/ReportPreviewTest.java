package dev.lrfinder.report;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTestConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Renders the three-optimizer fixture for a person to look at: run with
 * {@code -Dlrfinder.reportPreview=/tmp/report-preview} (a directory that does not exist yet);
 * an eight-optimizer report goes beside it, into {@code /tmp/report-preview-8}, and a regression
 * on unscaled targets (loss 1.4e13) into {@code /tmp/report-preview-house}.
 */
@EnabledIfSystemProperty(named = "lrfinder.reportPreview", matches = ".+")
class ReportPreviewTest {
  @Test
  void rendersThePreview() throws IOException {
    Path out = Path.of(System.getProperty("lrfinder.reportPreview"));
    Path written = new ReportWriter().write(Fixtures.threeOptimizers(), out.getParent(), out);
    assertTrue(Files.isRegularFile(written.resolve("index.html")), written.toString());
    System.out.println("report preview in " + written);
    System.out.print(SummaryTable.render(Fixtures.threeOptimizers()));

    RangeTestConfig config = Fixtures.config();
    List<OptimizerCurve> curves = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      curves.add(Fixtures.tanhCurve("optimizer_" + i, config, 100, 2.3, 0.3 + 0.05 * i,
          -4.5 + 0.4 * i, -1.5 + 0.25 * i, i));
    }
    ReportInput eight = Fixtures.input("eight_optimizers", config, curves);
    Path eightOut = out.resolveSibling(out.getFileName() + "-8");
    Path eightWritten = new ReportWriter().write(eight, null, eightOut);
    assertTrue(Files.isRegularFile(eightWritten.resolve("index.html")), eightWritten.toString());
    System.out.println("eight optimizers in " + eightWritten);
    System.out.print(SummaryTable.render(eight));

    Path houseOut = out.resolveSibling(out.getFileName() + "-house");
    ReportInput house = Fixtures.unscaledRegression().withWarnings(DataScale.warnings(Map.of(),
        Map.of(), List.of("mse"), Fixtures.unscaledRegression().result().curves().get(0).losses()
            .get(0)));
    Path houseWritten = new ReportWriter().write(house, null, houseOut);
    System.out.println("unscaled regression in " + houseWritten);
    System.out.print(SummaryTable.render(house));
    Path fittedWritten = new ReportWriter().write(Fixtures.fittedRegression(), null,
        out.resolveSibling(out.getFileName() + "-fitted"));
    System.out.println("regression falling two decades in " + fittedWritten);
  }
}
