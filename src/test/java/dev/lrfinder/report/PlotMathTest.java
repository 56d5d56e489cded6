package dev.lrfinder.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PlotMathTest {
  private static final double NAN = Double.NaN;

  @Test
  void keepsALineInsideTheBandAsItIs() {
    double[][] clipped = PlotMath.clip(new double[] {1, 2, 3}, new double[] {0, 1, 2}, 0, 2,
        false);

    assertArrayEquals(new double[] {1, 2, 3}, clipped[0]);
    assertArrayEquals(new double[] {0, 1, 2}, clipped[1]);
  }

  @Test
  void cutsALineWhereItLeavesTheBandAndResumesWhereItReturns() {
    double[][] clipped = PlotMath.clip(new double[] {0, 1, 2, 3}, new double[] {0, 4, 0, 1},
        -1, 2, false);

    assertArrayEquals(new double[] {0, 0.5, 0.5, 1.5, 2, 3}, clipped[0], 1e-12);
    assertArrayEquals(new double[] {0, 2, NAN, 2, 0, 1}, clipped[1], 1e-12);
  }

  @Test
  void findsCrossingsInLogX() {
    double[][] clipped = PlotMath.clip(new double[] {1e-3, 1e-1}, new double[] {0, 2}, 0, 1, true);

    assertEquals(1e-2, clipped[0][1], 1e-15);
    assertEquals(1, clipped[1][1]);
  }

  @Test
  void nonFinitePointsBecomeGaps() {
    double[][] clipped = PlotMath.clip(new double[] {1, 2, 3, 4, 5},
        new double[] {0, 0.5, NAN, 1, 1}, -5, 5, false);

    assertArrayEquals(new double[] {1, 2, 2, 4, 5}, clipped[0]);
    assertArrayEquals(new double[] {0, 0.5, NAN, 1, 1}, clipped[1]);
  }

  @Test
  void interpolatesStraightInLogX() {
    double[] xs = {1e-4, 1e-2, 1};
    double[] ys = {3, 1, 2};

    assertEquals(2, PlotMath.interpolateLogX(xs, ys, 1e-3), 1e-12);
    assertEquals(1.5, PlotMath.interpolateLogX(xs, ys, 0.1), 1e-12);
    assertEquals(1, PlotMath.interpolateLogX(xs, ys, 1e-2));
    assertEquals(3, PlotMath.interpolateLogX(xs, ys, 1e-9), "left of the points: the first");
    assertEquals(2, PlotMath.interpolateLogX(xs, ys, 5), "right of the points: the last");
    assertTrue(Double.isNaN(PlotMath.interpolateLogX(new double[0], new double[0], 1)));
  }
}
