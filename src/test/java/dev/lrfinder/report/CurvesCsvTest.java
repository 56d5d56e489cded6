package dev.lrfinder.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.StopReason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CurvesCsvTest {
  @TempDir Path dir;

  @Test
  void oneLinePerStepAfterTheHeaderWithExactValues() throws IOException {
    ReportInput input = Fixtures.threeOptimizers();
    Path written = new ReportWriter().write(input, dir, null);

    List<String> lines = Files.readAllLines(written.resolve("curves.csv"));

    int steps = input.result().curves().stream().mapToInt(OptimizerCurve::stepsRun).sum();
    assertEquals(1 + steps, lines.size());
    assertEquals("optimizer,step,lr,loss,train_loss,smoothed", lines.get(0));
    int line = 1;
    for (OptimizerCurve curve : input.result().curves()) {
      for (int step = 0; step < curve.stepsRun(); step++, line++) {
        String[] cells = lines.get(line).split(",", -1);
        assertEquals(6, cells.length, lines.get(line));
        assertEquals(curve.optimizer(), cells[0]);
        assertEquals(step, Integer.parseInt(cells[1]));
        assertEquals(curve.learningRates().get(step), Double.parseDouble(cells[2]));
        assertEquals(curve.losses().get(step), Double.parseDouble(cells[3]));
        assertEquals(curve.trainLosses().get(step), Double.parseDouble(cells[4]));
        assertEquals(curve.smoothedLosses().get(step), Double.parseDouble(cells[5]));
      }
    }
  }

  @Test
  void nonFiniteValuesAreEmptyAndOddNamesQuoted() {
    OptimizerCurve curve = Fixtures.curve("adam, \"fast\"", new double[] {1e-3, 2e-3},
        new double[] {0.5, Double.NaN}, new double[] {0.5, Double.POSITIVE_INFINITY},
        StopReason.NON_FINITE_LOSS, 100);
    ReportInput input = Fixtures.input("m", Fixtures.config(), List.of(curve), Map.of());

    String csv = CurvesCsv.render(input);

    assertEquals("optimizer,step,lr,loss,train_loss,smoothed\n"
        + "\"adam, \"\"fast\"\"\",0,0.001,0.5,0.5,0.5\n"
        + "\"adam, \"\"fast\"\"\",1,0.002,,,\n", csv);
  }
}
