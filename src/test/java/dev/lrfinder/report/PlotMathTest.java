package dev.lrfinder.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
  @Test
  void theLossAxisIsLinearForAFallWithinADecade() {
    PlotMath.Axis axis = PlotMath.lossAxis(0.35, 2.3, 50, 0.3);
    assertFalse(axis.log());
    assertTrue(axis.min() <= 0.3 && axis.min() > 0.35 - 0.25 * 1.95 - 1e-12, "raw room");
    assertEquals(2.3 + 0.5 * 1.95 + 0.04 * 1.95, axis.max(), 1e-12);
    assertTrue(axis.cut());
  }

  @Test
  void theLossAxisTurnsLogarithmicOverMoreThanADecade() {
    PlotMath.Axis axis = PlotMath.lossAxis(1e11, 1.4e13, 1e17, 8e10);
    assertTrue(axis.log());
    assertTrue(axis.min() <= 8e10 && axis.min() > 1e10, "min " + axis.min());
    assertTrue(axis.max() >= 1.4e13 && axis.max() < 1e15, "max " + axis.max());
    assertTrue(axis.cut());
    assertTrue(axis.floor() > 0, "log lines are clipped above zero");
    assertFalse(PlotMath.lossAxis(-1, 1e3, 1e3, -2).log(), "not with values <= 0");
    assertFalse(PlotMath.lossAxis(1, 9.9, 9.9, 1).log());
  }

  @Test
  void quantilesInterpolateAndSkipNonFiniteValues() {
    assertEquals(2.5, PlotMath.quantile(new double[] {4, 1, NAN, 2, 3}, 0.5), 1e-12);
    assertEquals(3.25, PlotMath.quantile(new double[] {1, 2, 3, 4}, 0.75), 1e-12);
    assertTrue(Double.isNaN(PlotMath.quantile(new double[] {NAN}, 0.5)));
  }

  @Test
  void axisTicksBeyondTheReadableRangeUseAPowerOfTen() {
    assertEquals(0, Format.axisExponent(0.01, 2.5));
    assertEquals(0, Format.axisExponent(0, 9999));
    assertEquals(13, Format.axisExponent(1.36e13, 1.41e13));
    assertEquals(-5, Format.axisExponent(-2e-5, 3e-5));
    assertEquals("1.55e13", Format.compact(1.5512e13));
    assertEquals("2.3", Format.compact(2.3));
    assertEquals("0.0351", Format.compact(0.035123));
    assertEquals("1e-5", Format.compact(1e-5));
  }
}
