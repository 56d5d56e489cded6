package dev.lrfinder.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.data.HostArray;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DataScaleTest {
  /** {@code rows} rows of house data: standardized noise, square feet, year built; price. */
  private static HostArray houses(int rows, boolean scaled) {
    Random random = new Random(1);
    float[] x = new float[rows * 3];
    for (int r = 0; r < rows; r++) {
      x[3 * r] = (float) random.nextGaussian();
      x[3 * r + 1] = (float) (scaled ? random.nextGaussian() : 1800 + 600 * random.nextGaussian());
      x[3 * r + 2] = (float) (scaled ? random.nextGaussian() : 1970 + 20 * random.nextGaussian());
    }
    return HostArray.ofFloats(new long[] {rows, 3}, x);
  }

  private static HostArray prices(int rows, double scale) {
    Random random = new Random(2);
    float[] y = new float[rows];
    for (int r = 0; r < rows; r++) {
      y[r] = (float) (scale * (5 + random.nextGaussian()));
    }
    return HostArray.ofFloats(new long[] {rows}, y);
  }

  @Test
  void unscaledHousePricesGiveOneWarningForFeaturesAndOneForTargets() {
    List<String> warnings = DataScale.warnings(Map.of("x_train", houses(500, false)),
        Map.of("y_train", prices(500, 1e5)), List.of("mse"), 1.4e13);
    assertEquals(2, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).startsWith("the features look unscaled: 2 of 3 columns have |mean|"
        + " or std above 1e3 (column 2 of x_train: mean 1.97e3"), warnings.get(0));
    assertTrue(warnings.get(1).startsWith("the regression targets look unscaled: the loss starts"
        + " at 1.4e13 and y_train has mean 4.97e5"), warnings.get(1));
  }

  @Test
  void scaledDataPixelsAndClassifiersGiveNone() {
    assertEquals(List.of(), DataScale.warnings(Map.of("x", houses(500, true)),
        Map.of("y", prices(500, 1)), List.of("mean_squared_error"), 1.2));
    float[] pixels = new float[200 * 16];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (i * 37) % 256;
    }
    assertEquals(List.of(), DataScale.warnings(
        Map.of("x", HostArray.ofFloats(new long[] {200, 4, 4, 1}, pixels)),
        Map.of("y", HostArray.ofInts(new long[] {2}, 3, 7)), List.of("sparse_categorical_crossentropy"),
        2.3e4), "0..255 pixels pass; a classifier's loss is not checked");
  }

  @Test
  void aLargeStartingLossAloneWarnsForARegression() {
    List<String> warnings = DataScale.warnings(Map.of("x", houses(50, true)),
        Map.of("y", prices(50, 100)), List.of("mae"), 2e4);
    assertEquals(List.of("the regression targets look unscaled: the loss starts at 2e4; scale"
        + " them (e.g. divide by their std, or use thousands) and run the range test again, since"
        + " the rates found now only fit these units"), warnings);
  }

  @Test
  void columnStatisticsAreExactForLargeValues() {
    HostArray x = HostArray.ofFloats(new long[] {4, 2}, 1e6f, 1, 1e6f + 2, 2, 1e6f + 4, 3,
        1e6f + 6, 4);
    List<DataScale.Column> columns = DataScale.columns("x", x);
    assertEquals(1e6 + 3, columns.get(0).mean(), 1e-9);
    assertEquals(Math.sqrt(5), columns.get(0).std(), 1e-9);
    assertEquals(2.5, columns.get(1).mean(), 1e-12);
  }
}
