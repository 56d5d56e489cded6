package dev.lrfinder.schedule;

import java.util.List;
import java.util.Map;

/**
 * Reads a schedule from the command line's spec {@code NAME[:key=value,...]} (docs/schedules.md):
 * {@code constant:lr=0.01}, {@code time:lr=0.01,decay=1e-3}, {@code step:lr=0.1,drop=0.5,every=10},
 * {@code exponential:lr=0.1,k=0.1}, {@code linear:lr=0.1,delta=0.001}, {@code
 * triangular:min=1e-4,max=1e-2,step=2000}, {@code triangular2:...}, {@code
 * exp_range:min=..,max=..,step=..,gamma=0.99994}, {@code one_cycle:max=0.01} (fast.ai's; {@code
 * style=pytorch} for PyTorch's OneCycleLR), {@code
 * warmup_cosine:lr=0.01,warmup=100}. A missing {@code lr} (or one-cycle's {@code max}) is the
 * optimizer's own rate. Every error is an {@link IllegalArgumentException} with one plain line.
 */
public final class Schedules {

  /** The schedule names {@link #parse} accepts, in the order the docs list them. */
  public static final List<String> NAMES = List.of("constant", "time", "step", "exponential",
      "linear", "triangular", "triangular2", "exp_range", "one_cycle", "warmup_cosine");

  /** One line of syntax for a command-line option's help. */
  public static final String SYNTAX = "constant[:lr=R] | time:decay=D[,lr=R,per=iteration|epoch]"
      + " | step[:lr=R,drop=0.5,every=15] | exponential:k=K[,lr=R] | linear:delta=D[,lr=R]"
      + " | triangular|triangular2:min=A,max=B[,step=N|step_epochs=E]"
      + " | exp_range:min=A,max=B,gamma=G[,step=N] | one_cycle[:max=R,pct_start=0.25,div=25,"
      + "div_final=1e5,style=fastai|pytorch] | warmup_cosine:warmup=N|warmup_epochs=E[,lr=R,"
      + "start=0,alpha=0]";

  private Schedules() {}

  /**
   * The rate of every update of {@code run} under {@code schedule}, update {@code i} falling in
   * epoch {@code i / stepsPerEpoch}: the curve a report draws before (or without) training.
   */
  public static double[] rates(Schedule schedule, Run run) {
    if (run.totalIterations() > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("schedule: " + run.totalIterations()
          + " iterations are too many to list");
    }
    double[] rates = new double[(int) run.totalIterations()];
    for (int i = 0; i < rates.length; i++) {
      rates[i] = schedule.learningRate(i, i / run.stepsPerEpoch());
    }
    return rates;
  }

  /**
   * What a schedule needs to know of the run it drives: the number of updates in the whole run,
   * the number per epoch, and the optimizer's own learning rate (the default {@code lr}).
   */
  public record Run(long totalIterations, int stepsPerEpoch, double optimizerRate) {
    public Run {
      Checks.atLeast("the number of iterations", totalIterations, 1);
      Checks.atLeast("the number of steps per epoch", stepsPerEpoch, 1);
      Checks.rate("the optimizer's learning rate", optimizerRate);
    }
  }

  /** The schedule name of {@code spec} ({@code step} for {@code step:lr=0.1}), lower case. */
  public static String name(String spec) {
    return Spec.parse("schedule", spec, null).name();
  }

  /**
   * {@code spec} with {@code key} set to {@code value} (added, or replacing the spec's own), as
   * text: {@code withSetting("step:lr=0.1,every=5", "lr", "0.01")} is {@code
   * step:lr=0.01,every=5}. A sweep varies one key of a base schedule this way.
   */
  public static String withSetting(String spec, String key, String value) {
    Spec s = Spec.parse("schedule", spec, null);
    java.util.Map<String, String> values = new java.util.LinkedHashMap<>(s.values());
    values.put(key, value);
    StringBuilder text = new StringBuilder(s.name());
    String separator = ":";
    for (Map.Entry<String, String> item : values.entrySet()) {
      text.append(separator).append(item.getKey()).append('=').append(item.getValue());
      separator = ",";
    }
    return text.toString();
  }

  /** The schedule {@code spec} names, for {@code run}. */
  public static Schedule parse(String spec, Run run) {
    return parse(spec, run, Map.of());
  }

  /**
   * As {@link #parse(String, Run)}, with {@code fallback} supplying keys the spec does not give
   * (e.g. {@code min} and {@code max} read from a range-test report for {@code triangular}).
   */
  public static Schedule parse(String spec, Run run, Map<String, String> fallback) {
    if (run == null) {
      throw new IllegalArgumentException("schedule: no run to fit the schedule to");
    }
    Spec s = Spec.parse("schedule", spec, null).withFallback(fallback);
    try {
      return build(s, run);
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      throw new IllegalArgumentException(message.startsWith("schedule") ? message
          : s.prefix() + message, e);
    }
  }

  private static Schedule build(Spec s, Run run) {
    double rate = run.optimizerRate();
    return switch (s.name()) {
      case "constant" -> new Constant(s.onlyKeys(List.of("lr")).number("lr", rate));
      case "time" -> {
        s.onlyKeys(List.of("lr", "decay", "per"));
        double lr = s.number("lr", rate);
        double decay = s.number("decay");
        yield s.choice("per", "iteration", List.of("iteration", "epoch")).equals("epoch")
            ? new EpochTimeDecay(lr, decay) : new TimeDecay(lr, decay);
      }
      case "step" -> {
        s.onlyKeys(List.of("lr", "drop", "every"));
        yield new StepDecay(s.number("lr", rate), s.number("drop", 0.5),
            (int) Math.min(Integer.MAX_VALUE, s.whole("every", 15, 1)));
      }
      case "exponential" -> new ExponentialDecay(
          s.onlyKeys(List.of("lr", "k")).number("lr", rate), s.number("k"));
      case "linear" -> new LinearDecay(
          s.onlyKeys(List.of("lr", "delta")).number("lr", rate), s.number("delta"));
      case "triangular", "triangular2", "exp_range" -> cyclical(s, run);
      case "one_cycle" -> {
        s.onlyKeys(List.of("max", "pct_start", "div", "div_final", "mom_max", "mom_min",
            "cycle_momentum", "style"));
        boolean torch = s.choice("style", "fastai", List.of("fastai", "pytorch"))
            .equals("pytorch");
        // fit_one_cycle: pct_start 0.25, div_final 1e5 of max; OneCycleLR: 0.3, 1e4 of max / div
        yield torch
            ? new TorchOneCycle(s.number("max", rate), run.totalIterations(),
                s.number("pct_start", 0.3), s.number("div", 25), s.number("div_final", 1e4),
                s.number("mom_max", 0.95), s.number("mom_min", 0.85),
                s.flag("cycle_momentum", true))
            : new OneCycle(s.number("max", rate), run.totalIterations(),
                s.number("pct_start", 0.25), s.number("div", 25), s.number("div_final", 1e5),
                s.number("mom_max", 0.95), s.number("mom_min", 0.85),
                s.flag("cycle_momentum", true));
      }
      case "warmup_cosine" -> {
        s.onlyKeys(List.of("lr", "warmup", "warmup_epochs", "start", "alpha"));
        long warmup = iterations(s, "warmup", "warmup_epochs", run, -1);
        if (warmup < 0) {
          throw new IllegalArgumentException(s.prefix() + "warmup (iterations) or warmup_epochs "
              + "is required");
        }
        yield new WarmupCosine(s.number("lr", rate), warmup, run.totalIterations(),
            s.number("start", 0), s.number("alpha", 0));
      }
      default -> throw new IllegalArgumentException("schedule: unknown schedule '" + s.name()
          + "'; accepted: " + String.join(", ", NAMES));
    };
  }

  private static Schedule cyclical(Spec s, Run run) {
    Cyclical.Mode mode = Cyclical.Mode.valueOf(s.name().toUpperCase(java.util.Locale.ROOT));
    boolean exp = mode == Cyclical.Mode.EXP_RANGE;
    s.onlyKeys(exp ? List.of("min", "max", "step", "step_epochs", "gamma")
        : List.of("min", "max", "step", "step_epochs"));
    // Smith 2017 (section 3.3): a half-cycle of 2 to 8 epochs; 4 when neither key is given.
    long step = iterations(s, "step", "step_epochs", run, 4L * run.stepsPerEpoch());
    return new Cyclical(mode, s.number("min"), s.number("max"), step,
        exp ? s.number("gamma") : 1.0);
  }

  /** A length in iterations, given as {@code key} (iterations) or {@code epochsKey} (epochs). */
  private static long iterations(Spec s, String key, String epochsKey, Run run, long fallback) {
    if (s.has(key) && s.has(epochsKey)) {
      throw new IllegalArgumentException(s.prefix() + "give " + key + " or " + epochsKey
          + ", not both");
    }
    if (s.has(epochsKey)) {
      return Math.multiplyExact(s.whole(epochsKey, 0, key.equals("warmup") ? 0 : 1),
          (long) run.stepsPerEpoch());
    }
    return s.whole(key, fallback, key.equals("warmup") ? 0 : 1);
  }
}
