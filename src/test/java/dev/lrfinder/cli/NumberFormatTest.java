package dev.lrfinder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.TestPaths;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The CLI's number format keeps every digit of an exponent and ignores the default locale. */
class NumberFormatTest {
  @Test
  void trailingZerosOfTheMantissaGoButNeverTheExponentsDigits() {
    assertEquals("1e+10", InspectCommand.format(1e10));
    assertEquals("1e+100", InspectCommand.format(1e100));
    assertEquals("2.5e-10", InspectCommand.format(2.5e-10));
    assertEquals("1e-07", InspectCommand.format(1e-7));
    assertEquals("0.01", InspectCommand.format(0.01));
    assertEquals("100000", InspectCommand.format(100000));
    assertEquals("1e+06", InspectCommand.format(1e6));
    assertEquals("0", InspectCommand.format(0));
    assertEquals("0.123457", InspectCommand.format(0.1234567));
  }

  @Test
  void aDecimalCommaLocaleDoesNotChangeTheFormat() {
    Locale before = Locale.getDefault();
    try {
      Locale.setDefault(Locale.GERMANY);
      assertEquals("0.01", InspectCommand.format(0.01));
      assertEquals("1.5e+10", InspectCommand.format(1.5e10));
    } finally {
      Locale.setDefault(before);
    }
  }

  @Test
  void trainPrintsALargeLearningRateWithItsWholeExponent() {
    MainTest.Run run = MainTest.run("train", TestPaths.model("blobs_mlp").toString(), "--lr",
        "1e10", "--steps", "1", "--batch-size", "32", "--optimizer", "sgd");

    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("at learning rate 1e+10:"), run.out());
  }
}
