package dev.lrfinder.lab;

import dev.lrfinder.model.OptimizerInfo;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.schedule.EpochRules;
import dev.lrfinder.schedule.Schedules;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A sweep before it meets the data: one labelled {@link TrainSettings} per run, built from a
 * parameter and its values ({@link #vary}) or from whole configurations ({@link #of}).
 * {@link #runs} fits each to the model and the data (the schedule's length depends on the rows
 * and the batch size) and gives the {@link SweepRun}s of a {@link Sweep}. Serializable (strings
 * and numbers only), so that a {@link SweepJob} can carry it to another JVM.
 *
 * @param parameter what the runs vary: one of {@link #PARAMETERS}, or {@code runs}
 * @param points the runs, in order
 */
public record SweepPlan(String parameter, List<Point> points) implements java.io.Serializable {
  /** The parameters {@link #vary} accepts. */
  public static final List<String> PARAMETERS = List.of("lr", "momentum", "decay", "patience",
      "optimizer", "batch-size", "schedule");
  /** The {@link #parameter} of a plan of whole configurations. */
  public static final String RUNS = "runs";

  /**
   * One planned run.
   *
   * @param label its name in the report ({@code lr=0.01})
   * @param value the varied value as given ({@code 0.01}), or the label for whole configurations
   * @param settings what it trains
   */
  public record Point(String label, String value, TrainSettings settings)
      implements java.io.Serializable {
    public Point {
      Objects.requireNonNull(label, "label");
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(settings, "settings");
    }
  }

  public SweepPlan {
    Objects.requireNonNull(parameter, "parameter");
    points = List.copyOf(points);
    if (points.isEmpty()) {
      throw new IllegalArgumentException("a sweep needs at least one run");
    }
    Set<String> labels = new HashSet<>();
    for (Point point : points) {
      if (!labels.add(point.label())) {
        throw new IllegalArgumentException("two runs are called '" + point.label() + "'; give"
            + " each run its own label or value");
      }
    }
  }

  /**
   * The values of {@code PARAM=V1,V2,...} ({@code ;} between schedule specs, which hold commas).
   *
   * @throws IllegalArgumentException for a text without {@code =}, an unknown parameter, an
   *     empty or repeated value
   */
  public static SweepPlan.Values parseVary(String text) {
    int eq = text == null ? -1 : text.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException("vary: write PARAM=V1,V2,... with PARAM one of "
          + String.join(", ", PARAMETERS) + ", got '" + text + "'");
    }
    String parameter = text.substring(0, eq).strip().toLowerCase(Locale.ROOT).replace('_', '-');
    requireParameter(parameter);
    String separator = parameter.equals("schedule") ? ";" : ",";
    List<String> values = new ArrayList<>();
    for (String part : text.substring(eq + 1).split(separator, -1)) {
      values.add(part.strip());
    }
    return new Values(parameter, values);
  }

  /**
   * A parameter and its values as given.
   *
   * @param parameter one of {@link #PARAMETERS}
   * @param values the values' texts, in order
   */
  public record Values(String parameter, List<String> values) {
    public Values {
      requireParameter(parameter);
      values = List.copyOf(values);
      if (values.isEmpty() || values.stream().allMatch(String::isEmpty)) {
        throw new IllegalArgumentException("vary " + parameter + ": no values; give "
            + parameter + "=V1,V2,...");
      }
      Set<String> seen = new HashSet<>();
      for (String value : values) {
        if (value.isEmpty()) {
          throw new IllegalArgumentException("vary " + parameter + ": an empty value in "
              + values + "; separate values by " + (parameter.equals("schedule") ? "';'" : "','"));
        }
        if (!seen.add(value)) {
          throw new IllegalArgumentException("vary " + parameter + ": '" + value
              + "' is given twice");
        }
      }
    }
  }

  private static void requireParameter(String parameter) {
    if (!PARAMETERS.contains(parameter)) {
      throw new IllegalArgumentException("vary: unknown parameter '" + parameter
          + "'; accepted: " + String.join(", ", PARAMETERS));
    }
  }

  /**
   * One run per value of {@code values.parameter()}, each {@code base} with that value set:
   * <ul>
   * <li>{@code lr}: the base schedule's {@code lr} (one-cycle's {@code max}), or a constant rate
   *     without a base schedule;
   * <li>{@code momentum}: the optimizer, among {@code optimizers} of the base optimizer's class,
   *     whose settings have that momentum (compared in float32, as the exporter stores them);
   * <li>{@code decay}: time decay {@code lr0 / (1 + decay * iteration)} from the base rate (the
   *     base schedule's {@code lr} when it is constant or time decay);
   * <li>{@code patience}: the base plateau's patience;
   * <li>{@code optimizer}: the optimizer key; {@code batch-size}: rows per step;
   *     {@code schedule}: the whole schedule spec.
   * </ul>
   *
   * @param baseOptimizer the base settings' optimizer key, resolved (the model's first when the
   *     settings name none)
   * @param optimizers the model's optimizers
   * @throws IllegalArgumentException with one line: a bad value, a momentum no optimizer has
   *     (naming the export option that adds one), a patience without a base plateau, a base
   *     schedule the parameter does not fit
   */
  public static SweepPlan vary(Values values, TrainSettings base, String baseOptimizer,
      List<OptimizerInfo> optimizers) {
    String parameter = values.parameter();
    List<Point> points = new ArrayList<>();
    for (String value : values.values()) {
      String prefix = "vary " + parameter + ": ";
      TrainSettings settings;
      try {
        settings = switch (parameter) {
          case "lr" -> lr(base, value);
          case "momentum" -> base.withOptimizer(momentum(base, baseOptimizer, optimizers, value));
          case "decay" -> decay(base, value);
          case "patience" -> patience(base, value);
          case "optimizer" -> base.withOptimizer(optimizer(optimizers, value));
          case "batch-size" -> base.with("batch-size", value);
          case "schedule" -> base.with("schedule", value);
          default -> throw new IllegalStateException(parameter);
        };
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(e.getMessage().startsWith("vary") ? e.getMessage()
            : prefix + e.getMessage(), e);
      }
      points.add(new Point(parameter + "=" + value, value, settings));
    }
    return new SweepPlan(parameter, points);
  }

  /** A plan of whole configurations, each labelled. */
  public static SweepPlan of(List<Point> points) {
    return new SweepPlan(RUNS, points);
  }

  private static TrainSettings lr(TrainSettings base, String value) {
    double rate = number(value, "a learning rate");
    if (rate < 0) {
      throw new IllegalArgumentException("a learning rate must be >= 0, got " + value);
    }
    if (base.schedule() == null) {
      return base.withLr(rate);
    }
    String name = Schedules.name(base.schedule());
    String key = switch (name) {
      case "constant", "time", "step", "exponential", "linear", "warmup_cosine" -> "lr";
      case "one_cycle" -> "max";
      default -> throw new IllegalArgumentException("the schedule '" + base.schedule()
          + "' has no lr (its rates are min and max); vary schedule instead");
    };
    return base.withSchedule(Schedules.withSetting(base.schedule(), key, value));
  }

  private static TrainSettings decay(TrainSettings base, String value) {
    double decay = number(value, "a decay");
    if (decay < 0) {
      throw new IllegalArgumentException("a decay must be >= 0, got " + value);
    }
    if (base.schedule() == null) {
      return base.withSchedule("time:decay=" + value);
    }
    String name = Schedules.name(base.schedule());
    if (name.equals("time")) {
      return base.withSchedule(Schedules.withSetting(base.schedule(), "decay", value));
    }
    if (name.equals("constant")) {
      return base.withSchedule(Schedules.withSetting(
          "time" + base.schedule().strip().substring("constant".length()), "decay", value));
    }
    throw new IllegalArgumentException("decay replaces a constant schedule by time decay, but"
        + " the schedule is '" + base.schedule() + "'; give a constant one or none");
  }

  private static TrainSettings patience(TrainSettings base, String value) {
    long patience;
    try {
      patience = Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("a patience must be a whole number, got '" + value + "'");
    }
    if (patience < 0) {
      throw new IllegalArgumentException("a patience must be >= 0, got " + value);
    }
    if (base.plateau() == null) {
      throw new IllegalArgumentException("patience is the plateau rule's: give the base rule,"
          + " e.g. plateau:monitor=val_loss,factor=0.1,min_delta=1e-7");
    }
    return base.withPlateau(EpochRules.plateauWithSetting(base.plateau(), "patience", value));
  }

  private static String optimizer(List<OptimizerInfo> optimizers, String key) {
    if (optimizers.stream().noneMatch(o -> o.key().equals(key))) {
      throw new IllegalArgumentException("the model has no optimizer '" + key + "'; it has "
          + String.join(", ", optimizers.stream().map(OptimizerInfo::key).toList()));
    }
    return key;
  }

  private static String momentum(TrainSettings base, String baseOptimizer,
      List<OptimizerInfo> optimizers, String value) {
    double wanted = number(value, "a momentum");
    OptimizerInfo own = optimizers.stream().filter(o -> o.key().equals(baseOptimizer))
        .findFirst().orElseThrow(() -> new IllegalArgumentException("the model has no"
            + " optimizer '" + baseOptimizer + "'"));
    List<String> seen = new ArrayList<>();
    for (OptimizerInfo info : optimizers) {
      if (!info.className().equals(own.className())
          || !(info.config().get("momentum") instanceof Number momentum)
          || !Objects.equals(info.config().get("nesterov"), own.config().get("nesterov"))) {
        continue;
      }
      // The exporter writes the settings as Keras holds them; compared in float32 so that 0.9
      // matches a 0.8999999761581421 read back from a float32 variable.
      if ((float) momentum.doubleValue() == (float) wanted) {
        return info.key();
      }
      seen.add(info.key() + " " + momentum);
    }
    if (seen.isEmpty()) {
      throw new IllegalArgumentException("the optimizer '" + baseOptimizer + "' ("
          + own.className() + ") has no momentum setting");
    }
    String name = own.className().toLowerCase(Locale.ROOT);
    throw new IllegalArgumentException("no " + own.className() + " optimizer of the model has"
        + " momentum " + value + " (" + String.join(", ", seen) + "); export one with"
        + " scripts/export.py --optimizer " + name + ":momentum=" + value);
  }

  private static double number(String value, String what) {
    try {
      double number = Double.parseDouble(value);
      if (Double.isFinite(number)) {
        return number;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(what + " must be a finite number, got '" + value + "'");
  }

  /**
   * The runs on {@code model} with {@code rows} training rows (before any split): each point's
   * settings fitted ({@link TrainSettings#config}), its optimizer the model's first when none is
   * named.
   *
   * @throws IllegalArgumentException prefixed with the run's label, for settings that do not fit
   */
  public List<SweepRun> runs(TrainableModel model, long rows) {
    List<SweepRun> runs = new ArrayList<>();
    for (Point point : points) {
      String key = point.settings().optimizer() == null ? model.optimizers().get(0)
          : point.settings().optimizer();
      try {
        if (!model.optimizers().contains(key)) {
          throw new IllegalArgumentException(model.contract().noSuchOptimizer(key));
        }
        runs.add(new SweepRun(point.label(), point.settings().config(key,
            model.learningRate(key), rows)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("run '" + point.label() + "': " + e.getMessage(), e);
      }
    }
    return runs;
  }
}
