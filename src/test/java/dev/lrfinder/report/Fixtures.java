package dev.lrfinder.report;

import dev.lrfinder.data.DType;
import dev.lrfinder.model.ModelContract;
import dev.lrfinder.model.OptimizerInfo;
import dev.lrfinder.model.TensorSpec;
import dev.lrfinder.rangetest.LossSmoother;
import dev.lrfinder.rangetest.LrSchedule;
import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.rangetest.RangeTestResult;
import dev.lrfinder.rangetest.StopReason;
import dev.lrfinder.suggest.RangeTestAnalysis;
import dev.lrfinder.suggest.Suggestion;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Synthetic range-test results for report tests: no TensorFlow involved. */
final class Fixtures {
  static final Instant CREATED = Instant.parse("2025-03-04T05:06:07.891Z");

  private Fixtures() {}

  /**
   * A range-test-like curve in log10 learning rate: flat at {@code high}, a tanh-shaped fall to
   * {@code low} around {@code center}, then an exponential blow-up from {@code blowUp}, with
   * multiplicative noise; smoothed like the engine and stopped at 4x the best smoothed loss.
   */
  static OptimizerCurve tanhCurve(String optimizer, RangeTestConfig config, long planned,
      double high, double low, double center, double blowUp, long seed) {
    Random random = new Random(seed);
    LossSmoother smoother = new LossSmoother(config.beta());
    List<Double> lrs = new ArrayList<>();
    List<Double> losses = new ArrayList<>();
    List<Double> smoothed = new ArrayList<>();
    double best = Double.POSITIVE_INFINITY;
    StopReason reason = StopReason.END_OF_RANGE;
    for (long step = 0; step < planned; step++) {
      double lr = config.schedule().rate(step, planned, config.startLr(), config.endLr());
      double x = Math.log10(lr);
      double fall = 0.5 * (1 - Math.tanh((x - center) / 1.0));
      double loss = (low + (high - low) * fall + Math.exp(2.5 * (x - blowUp)))
          * (1 + 0.08 * random.nextGaussian());
      double smooth = smoother.add(loss);
      lrs.add(lr);
      losses.add(loss);
      smoothed.add(smooth);
      if (step < config.skipBeginFor(planned)) {
        continue; // as the engine: no divergence stop in the warm-up window, best from it on
      }
      if (config.stopFactorEnabled() && step > config.skipBeginFor(planned)
          && smooth > config.stopFactor() * best) {
        reason = StopReason.DIVERGED;
        break;
      }
      best = Math.min(best, smooth);
    }
    return new OptimizerCurve(optimizer, lrs, losses, losses, smoothed, reason, planned, best,
        0.05 * lrs.size(), 0.04 * lrs.size());
  }

  /** A curve from explicit values; train loss equals loss. */
  static OptimizerCurve curve(String optimizer, double[] lrs, double[] losses, double[] smoothed,
      StopReason reason, long planned) {
    return new OptimizerCurve(optimizer, boxed(lrs), boxed(losses), boxed(losses), boxed(smoothed),
        reason, planned, Double.NaN, 1.25, 1.0);
  }

  static RangeTestConfig config() {
    return RangeTestConfig.builder().build();
  }

  /** Three optimizers over 100 exponential steps from 1e-7 to 10, as the default test runs. */
  static ReportInput threeOptimizers() {
    RangeTestConfig config = config();
    List<OptimizerCurve> curves = List.of(
        tanhCurve("adam", config, 100, 2.3, 0.35, -3.3, -0.8, 1),
        tanhCurve("sgd", config, 100, 2.3, 0.6, -1.6, 0.4, 2),
        tanhCurve("rmsprop", config, 100, 2.3, 0.45, -3.8, -1.4, 3));
    return input("mnist_cnn", config, curves);
  }

  /** A report input with the default analysis (the default rules' suggestions) of each curve. */
  static ReportInput input(String model, RangeTestConfig config, List<OptimizerCurve> curves) {
    RangeTestResult result = result(config, curves);
    return input(model, result, RangeTestAnalysis.of(result));
  }

  /** A report input whose suggestions are {@code suggestions} instead of the rules'. */
  static ReportInput input(String model, RangeTestConfig config, List<OptimizerCurve> curves,
      Map<String, List<Suggestion>> suggestions) {
    RangeTestResult result = result(config, curves);
    return input(model, result, RangeTestAnalysis.of(result).withSuggestions(suggestions));
  }

  private static RangeTestResult result(RangeTestConfig config, List<OptimizerCurve> curves) {
    long planned = curves.stream().mapToLong(OptimizerCurve::plannedSteps).max().orElse(100);
    return new RangeTestResult(config, planned, 938, 60_000, curves);
  }

  private static ReportInput input(String model, RangeTestResult result,
      RangeTestAnalysis analysis) {
    return new ReportInput(Path.of("savedmodels", model), Path.of("savedmodels", model + ".npz"),
        contract(model, result.curves().stream().map(OptimizerCurve::optimizer).toList()),
        "exported: training contract v1 from scripts/export.py", result,
        analysis, "2.18.0", "17.0.15", CREATED,
        "lrfinder find savedmodels/" + model + " --optimizers adam,sgd");
  }

  static ModelContract contract(String model, List<String> optimizers) {
    List<OptimizerInfo> infos = new ArrayList<>();
    for (String key : optimizers) {
      Map<String, Object> config = new LinkedHashMap<>();
      config.put("name", key);
      config.put("learning_rate", 0.001);
      config.put("beta_1", 0.9);
      config.put("clipnorm", null);
      infos.add(new OptimizerInfo(key, "Adam", config, 0.001));
    }
    return new ModelContract(1, model, "scripts/models/" + model + ".py", 421_642, 421_642,
        new TensorSpec("x", DType.UINT8, new long[] {-1, 28, 28, 1}),
        new TensorSpec("y", DType.INT64, new long[] {-1}), "sparse_categorical_crossentropy",
        List.of("accuracy"), infos, "2.18.0", "3.8.0");
  }

  static List<Double> boxed(double[] values) {
    List<Double> list = new ArrayList<>(values.length);
    for (double value : values) {
      list.add(value);
    }
    return list;
  }

  static double[] exponentialLrs(int steps, long planned) {
    double[] lrs = new double[steps];
    for (int i = 0; i < steps; i++) {
      lrs[i] = LrSchedule.EXPONENTIAL.rate(i, planned, 1e-7, 10);
    }
    return lrs;
  }
  /**
   * A regression on unscaled targets (house prices in dollars): the MSE starts at 1.4e13 and
   * stays there with 3% batch noise for adam until the rate nears 0.1, falls to about 2e12 and
   * blows up past 1e15; sgd's huge gradients blow up within a few steps after the window.
   */
  static ReportInput unscaledRegression() {
    RangeTestConfig config = config();
    Random random = new Random(5);
    List<OptimizerCurve> curves = new ArrayList<>();
    for (String optimizer : List.of("adam", "sgd")) {
      LossSmoother smoother = new LossSmoother(config.beta());
      List<Double> lrs = new ArrayList<>();
      List<Double> losses = new ArrayList<>();
      List<Double> smoothed = new ArrayList<>();
      StopReason reason = StopReason.END_OF_RANGE;
      double best = Double.POSITIVE_INFINITY;
      for (int step = 0; step < 100; step++) {
        double lr = config.schedule().rate(step, 100, config.startLr(), config.endLr());
        double x = Math.log10(lr);
        double level = optimizer.equals("adam")
            ? 2e12 + 1.2e13 * 0.5 * (1 - Math.tanh(2 * (x + 0.5))) + 1e13 * Math.exp(4 * (x - 0.6))
            : 1.4e13 * Math.exp(Math.max(0, 2.2 * (x + 5.5)));
        double loss = level * (1 + 0.03 * random.nextGaussian());
        double smooth = smoother.add(loss);
        lrs.add(lr);
        losses.add(loss);
        smoothed.add(smooth);
        if (step >= config.skipBeginFor(100)) {
          if (step > config.skipBeginFor(100) && smooth > config.stopFactor() * best) {
            reason = StopReason.DIVERGED;
            break;
          }
          best = Math.min(best, smooth);
        }
      }
      curves.add(new OptimizerCurve(optimizer, lrs, losses, losses, smoothed, reason, 100, best,
          0.05 * lrs.size(), 0.04 * lrs.size()));
    }
    ReportInput input = input("sequential", config, curves);
    return new ReportInput(Path.of("savedmodels", "house_prices"), input.dataFile(),
        input.contract(), input.trainingPath(), input.result(), input.analysis(),
        input.tensorflowVersion(), input.javaVersion(), input.createdAt(), input.command());
  }

  /**
   * A regression on unscaled targets that Adam fits: 1.4e13 down to 1e11 right after the
   * warm-up (the smoothed loss, which at beta 0.98 keeps some weight on the first steps, gets
   * to a decade below the start), then a blow-up.
   */
  static ReportInput fittedRegression() {
    RangeTestConfig config = Fixtures.config().toBuilder().stopFactor(0).build();
    double[] lrs = exponentialLrs(100, 100);
    double[] losses = new double[100];
    java.util.Random random = new java.util.Random(4);
    for (int i = 0; i < 100; i++) {
      double x = Math.log10(lrs[i]);
      losses[i] = (1e11 + 1.4e13 * 0.5 * (1 - Math.tanh(3 * (x + 6)))
          + 1e13 * Math.exp(5 * (x - 0.5)))
          * (1 + 0.03 * random.nextGaussian());
    }
    double[] smoothed = new double[100];
    LossSmoother smoother = new LossSmoother(0.98);
    for (int i = 0; i < 100; i++) {
      smoothed[i] = smoother.add(losses[i]);
    }
    ReportInput input = input("sequential", config, List.of(curve("adam", lrs,
        losses, smoothed, StopReason.END_OF_RANGE, 100)));
    return new ReportInput(Path.of("models", "house_prices"), input.dataFile(), input.contract(),
        input.trainingPath(), input.result(), input.analysis(), input.tensorflowVersion(),
        input.javaVersion(), input.createdAt(), input.command());
  }
}
