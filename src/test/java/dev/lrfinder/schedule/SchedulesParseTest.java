package dev.lrfinder.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** The spec parser: every name, defaults, the optimizer's rate as the default lr, and errors. */
class SchedulesParseTest {
  private static final Schedules.Run RUN = new Schedules.Run(1000, 50, 0.01);

  @Test
  void everyNameParsesToItsRecord() {
    assertEquals(new Constant(0.01), Schedules.parse("constant", RUN));
    assertEquals(new Constant(0.5), Schedules.parse("constant:lr=0.5", RUN));
    assertEquals(new TimeDecay(0.01, 1e-3), Schedules.parse("time:lr=0.01,decay=1e-3", RUN));
    assertEquals(new EpochTimeDecay(0.001, 1.5e-6),
        Schedules.parse("time:lr=0.001,decay=1.5e-6,per=epoch", RUN));
    assertEquals(new StepDecay(0.1, 0.5, 10),
        Schedules.parse("step:lr=0.1,drop=0.5,every=10", RUN));
    assertEquals(new StepDecay(0.01, 0.5, 15), Schedules.parse("step", RUN));
    assertEquals(new ExponentialDecay(0.1, 0.1), Schedules.parse("exponential:lr=0.1,k=0.1", RUN));
    assertEquals(new LinearDecay(0.1, 0.001), Schedules.parse("linear:lr=0.1,delta=0.001", RUN));
    assertEquals(new Cyclical(Cyclical.Mode.TRIANGULAR, 1e-4, 1e-2, 2000, 1),
        Schedules.parse("triangular:min=1e-4,max=1e-2,step=2000", RUN));
    assertEquals(new Cyclical(Cyclical.Mode.TRIANGULAR2, 1e-4, 1e-2, 200, 1),
        Schedules.parse("triangular2:min=1e-4,max=1e-2", RUN)); // 4 epochs of 50
    assertEquals(new Cyclical(Cyclical.Mode.TRIANGULAR, 1e-4, 1e-2, 400, 1),
        Schedules.parse("triangular:min=1e-4,max=1e-2,step_epochs=8", RUN));
    assertEquals(new Cyclical(Cyclical.Mode.EXP_RANGE, 1e-4, 1e-2, 100, 0.99994),
        Schedules.parse("exp_range:min=1e-4,max=1e-2,step=100,gamma=0.99994", RUN));
    assertEquals(OneCycle.fastai(0.01, 1000), Schedules.parse("one_cycle", RUN));
    assertEquals(new OneCycle(0.1, 1000, 0.3, 10, 1e4, 0.9, 0.8, false), Schedules.parse(
        "one_cycle:max=0.1,pct_start=0.3,div=10,div_final=1e4,mom_max=0.9,mom_min=0.8,"
            + "cycle_momentum=false", RUN));
    assertEquals(TorchOneCycle.pytorch(0.01, 1000),
        Schedules.parse("one_cycle:style=pytorch", RUN));
    assertEquals(new TorchOneCycle(0.1, 1000, 0.25, 10, 1e3, 0.9, 0.8, true), Schedules.parse(
        "one_cycle:style=pytorch,max=0.1,pct_start=0.25,div=10,div_final=1e3,mom_max=0.9,"
            + "mom_min=0.8", RUN));
    assertEquals(new WarmupCosine(0.01, 100, 1000, 0, 0),
        Schedules.parse("warmup_cosine:warmup=100", RUN));
    assertEquals(new WarmupCosine(0.02, 100, 1000, 1e-4, 0.1),
        Schedules.parse("warmup_cosine:lr=0.02,warmup_epochs=2,start=1e-4,alpha=0.1", RUN));
  }

  @Test
  void spacesCaseAndDashesAreForgiven() {
    assertEquals(new Cyclical(Cyclical.Mode.EXP_RANGE, 1e-4, 1e-2, 100, 0.9),
        Schedules.parse(" EXP-RANGE : min = 1e-4, max=1e-2 ,step=100, gamma=0.9 ", RUN));
  }

  @Test
  void fallbackFillsOnlyMissingKeys() {
    Map<String, String> bounds = Map.of("min", "1e-5", "max", "1e-2");
    assertEquals(new Cyclical(Cyclical.Mode.TRIANGULAR, 1e-5, 1e-2, 200, 1),
        Schedules.parse("triangular", RUN, bounds));
    assertEquals(new Cyclical(Cyclical.Mode.TRIANGULAR, 1e-5, 5e-3, 200, 1),
        Schedules.parse("triangular:max=5e-3", RUN, bounds));
  }

  @Test
  void describeIsOneLine() {
    for (String spec : new String[] {"constant", "time:decay=1e-3", "time:decay=1e-3,per=epoch",
        "step", "exponential:k=0.1", "linear:delta=1e-4", "triangular:min=1e-4,max=1e-2",
        "triangular2:min=1e-4,max=1e-2", "exp_range:min=1e-4,max=1e-2,gamma=0.999", "one_cycle",
        "one_cycle:style=pytorch",
        "warmup_cosine:warmup=10"}) {
      String line = Schedules.parse(spec, RUN).describe();
      assertFalse(line.isBlank() || line.contains("\n"), spec + " -> " + line);
    }
    assertEquals("triangular cyclical 1e-4 .. 0.01, half-cycle 2000 iterations",
        Schedules.parse("triangular:min=1e-4,max=1e-2,step=2000", RUN).describe());
  }

  private static String error(String spec) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Schedules.parse(spec, RUN), spec);
    String message = e.getMessage();
    assertFalse(message.contains("\n"), message);
    assertFalse(message.contains("Exception") || message.contains("dev.lrfinder"), message);
    return message;
  }

  @Test
  void errorsNameTheProblemAndWhatIsAccepted() {
    String unknown = error("cosine:lr=0.1");
    assertTrue(unknown.contains("'cosine'") && unknown.contains("one_cycle")
        && unknown.contains("warmup_cosine"), unknown);
    String key = error("step:lr=0.1,rate=2");
    assertTrue(key.contains("'rate'") && key.contains("lr, drop, every"), key);
    assertTrue(error("step:lr=abc").contains("lr must be a number, got 'abc'"));
    assertTrue(error("constant:lr=-0.1").contains("lr must be a learning rate"));
    assertTrue(error("constant:lr=NaN").contains("finite"));
    assertTrue(error("time:lr=0.1").contains("decay is required"));
    assertTrue(error("time:decay=1e-3,per=batch").contains("iteration, epoch"));
    assertTrue(error("exponential").contains("k is required"));
    assertTrue(error("linear:lr=0.1").contains("delta is required"));
    assertTrue(error("triangular:max=0.1").contains("min is required"));
    assertTrue(error("triangular:min=0.1,max=0.01").contains("must be >= min"));
    assertTrue(error("triangular:min=0.001,max=0.01,step=0").contains("step must be >= 1"));
    assertTrue(error("triangular:min=0.001,max=0.01,step=2.5").contains("whole number"));
    assertTrue(error("triangular:min=0.001,max=0.01,step=10,step_epochs=1").contains("not both"));
    assertTrue(error("triangular:min=0.001,max=0.01,gamma=0.9").contains("unknown key 'gamma'"));
    assertTrue(error("exp_range:min=0.001,max=0.01").contains("gamma is required"));
    assertTrue(error("one_cycle:pct_start=1.5").contains("pct_start"));
    assertTrue(error("one_cycle:cycle_momentum=maybe").contains("true or false"));
    assertTrue(error("one_cycle:style=keras").contains("fastai, pytorch"));
    assertTrue(error("warmup_cosine:lr=0.1").contains("warmup"));
    assertTrue(error("warmup_cosine:warmup=1000").contains("shorter than the run"));
    assertTrue(error("step:lr=0.1,lr=0.2").contains("lr is given twice"));
    assertTrue(error("step:lr").contains("not key=value"));
    assertTrue(error("step:lr=0.1,").contains("not key=value"));
    assertTrue(error("  ").contains("empty"));
    assertTrue(error("step:drop=-0.5").startsWith("schedule step: drop must be"));
  }

  @Test
  void ratesListEveryUpdateWithItsEpoch() {
    Schedules.Run run = new Schedules.Run(6, 2, 0.1);
    double[] rates = Schedules.rates(Schedules.parse("step:lr=1,drop=0.5,every=2", run), run);
    // epochs 0, 0, 1, 1, 2, 2: floor((1 + e) / 2) = 0, 1, 1
    assertEquals(List.of(1.0, 1.0, 0.5, 0.5, 0.5, 0.5),
        java.util.Arrays.stream(rates).boxed().toList());
    for (String name : Schedules.NAMES) {
      assertTrue(Schedules.SYNTAX.contains(name), name);
    }
  }

  @Test
  void runIsChecked() {
    assertThrows(IllegalArgumentException.class, () -> new Schedules.Run(0, 1, 0.1));
    assertThrows(IllegalArgumentException.class, () -> new Schedules.Run(10, 0, 0.1));
    assertThrows(IllegalArgumentException.class, () -> new Schedules.Run(10, 1, -0.1));
    assertInstanceOf(Constant.class, Schedules.parse("constant", new Schedules.Run(1, 1, 0)));
    assertEquals(OptionalDouble.empty(), Schedules.parse("constant", RUN).momentum(0, 0));
  }
}
