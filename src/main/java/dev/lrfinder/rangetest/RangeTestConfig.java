package dev.lrfinder.rangetest;

import dev.lrfinder.data.Batches;
import dev.lrfinder.data.Dataset;
import java.util.List;

/**
 * Settings of a learning-rate range test, all of which the engine reads. Defaults (the
 * {@code DEFAULT_} constants, which the CLI's help and parsing read too) follow fast.ai's
 * {@code lr_find} and seed 002: 1e-7 to 10 over 100 exponential steps, smoothing beta 0.98, stop
 * at 4x the best smoothed loss after a warm-up window of a tenth of the planned steps (fast.ai's
 * {@code num_it // 10}), batch 64, seed 0. How the curves are read afterwards (points skipped at
 * the end, rules) is {@code dev.lrfinder.suggest.AnalysisSettings}.
 *
 * @param optimizers optimizer keys to test, in order, each once; empty means every optimizer of
 *     the model
 * @param stopFactor stop when the smoothed loss exceeds this times the best, both counted from
 *     step {@code skipBegin} on (never inside the skipped warm-up); 0 disables the check
 * @param skipBegin the warm-up window: no divergence stop before this step, and the best the stop
 *     factor compares with is counted from it; the analysis leaves out the same points, so the
 *     stop and the suggestions see the same curve. {@link #SKIP_AUTO} (the default) means
 *     {@link #defaultSkipBegin(long)} of the planned steps
 * @param validationBatches 0 to follow the training loss; otherwise the curve follows the mean
 *     validation loss over this many batches of held-out data, measured after every step
 * @param snapshotOnDisk keep the start state in a checkpoint in a fresh temporary directory
 *     (deleted afterwards) instead of Java memory, for models too large to copy
 */
public record RangeTestConfig(
    double startLr,
    double endLr,
    StepBudget budget,
    LrSchedule schedule,
    double beta,
    double stopFactor,
    int skipBegin,
    int batchSize,
    boolean shuffle,
    long seed,
    int validationBatches,
    boolean snapshotOnDisk,
    List<String> optimizers) implements java.io.Serializable {

  public RangeTestConfig {
    optimizers = List.copyOf(optimizers);
    if (new java.util.HashSet<>(optimizers).size() != optimizers.size()) {
      throw new IllegalArgumentException("optimizers must be named once each, got " + optimizers);
    }
    if (!(startLr > 0) || !Double.isFinite(startLr)) {
      throw new IllegalArgumentException("start learning rate must be > 0, got " + startLr);
    }
    if (!(endLr > startLr) || !Double.isFinite(endLr)) {
      throw new IllegalArgumentException("end learning rate (" + endLr
          + ") must be finite and larger than the start (" + startLr + ")");
    }
    if (!(beta >= 0 && beta < 1)) {
      throw new IllegalArgumentException("smoothing beta must be in [0, 1), got " + beta);
    }
    if (!(stopFactor == 0 || stopFactor > 1) || !Double.isFinite(stopFactor)) {
      throw new IllegalArgumentException("stop factor must be > 1, or 0 to disable, got " + stopFactor);
    }
    if (skipBegin < 0 && skipBegin != SKIP_AUTO) {
      throw new IllegalArgumentException("skip begin must be >= 0, got " + skipBegin);
    }
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
    }
    if (validationBatches < 0) {
      throw new IllegalArgumentException("validation batches must be >= 0");
    }
  }

  public static final double DEFAULT_START_LR = 1e-7;
  public static final double DEFAULT_END_LR = 10;
  public static final long DEFAULT_STEPS = 100;
  public static final LrSchedule DEFAULT_SCHEDULE = LrSchedule.EXPONENTIAL;
  public static final double DEFAULT_BETA = 0.98;
  public static final double DEFAULT_STOP_FACTOR = 4;
  /** A skip that follows the number of planned steps ({@link #defaultSkipBegin(long)}). */
  public static final int SKIP_AUTO = -1;
  /** The default warm-up window is the planned steps divided by this (fast.ai's num_it // 10). */
  public static final int DEFAULT_SKIP_BEGIN_DIVISOR = 10;
  public static final int DEFAULT_BATCH_SIZE = 64;
  public static final long DEFAULT_SEED = 0;
  public static final int DEFAULT_VALIDATION_BATCHES = 0;

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().startLr(startLr).endLr(endLr).budget(budget).schedule(schedule)
        .beta(beta).stopFactor(stopFactor).skipBegin(skipBegin)
        .batchSize(batchSize).shuffle(shuffle).seed(seed).validationBatches(validationBatches)
        .snapshotOnDisk(snapshotOnDisk).optimizers(optimizers);
  }

  /** The batches this config trains on: the documented seeded order of {@link Batches}. */
  public Batches batches(Dataset train) {
    return new Batches(train, batchSize, shuffle, seed);
  }

  /**
   * The default warm-up window of a run of {@code plannedSteps}: {@code plannedSteps / 10}
   * (integer division), fast.ai's {@code num_it // 10}; 10 at the default 100 steps.
   */
  public static int defaultSkipBegin(long plannedSteps) {
    return Math.toIntExact(Math.max(0, plannedSteps) / DEFAULT_SKIP_BEGIN_DIVISOR);
  }

  /** The warm-up window of a run of {@code plannedSteps}: the explicit skip, or the default. */
  public int skipBeginFor(long plannedSteps) {
    return skipBegin == SKIP_AUTO ? defaultSkipBegin(plannedSteps) : skipBegin;
  }

  public boolean stopFactorEnabled() {
    return stopFactor > 0;
  }

  /** Builder with the defaults above. */
  public static final class Builder {
    private double startLr = DEFAULT_START_LR;
    private double endLr = DEFAULT_END_LR;
    private StepBudget budget = StepBudget.steps(DEFAULT_STEPS);
    private LrSchedule schedule = DEFAULT_SCHEDULE;
    private double beta = DEFAULT_BETA;
    private double stopFactor = DEFAULT_STOP_FACTOR;
    private int skipBegin = SKIP_AUTO;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private boolean shuffle = true;
    private long seed = DEFAULT_SEED;
    private int validationBatches = DEFAULT_VALIDATION_BATCHES;
    private boolean snapshotOnDisk = false;
    private List<String> optimizers = List.of();

    public Builder startLr(double value) {
      startLr = value;
      return this;
    }

    public Builder endLr(double value) {
      endLr = value;
      return this;
    }

    public Builder budget(StepBudget value) {
      budget = value;
      return this;
    }

    public Builder steps(long value) {
      return budget(StepBudget.steps(value));
    }

    public Builder schedule(LrSchedule value) {
      schedule = value;
      return this;
    }

    public Builder beta(double value) {
      beta = value;
      return this;
    }

    public Builder stopFactor(double value) {
      stopFactor = value;
      return this;
    }

    public Builder skipBegin(int value) {
      skipBegin = value;
      return this;
    }

    public Builder batchSize(int value) {
      batchSize = value;
      return this;
    }

    public Builder shuffle(boolean value) {
      shuffle = value;
      return this;
    }

    public Builder seed(long value) {
      seed = value;
      return this;
    }

    public Builder validationBatches(int value) {
      validationBatches = value;
      return this;
    }

    public Builder snapshotOnDisk(boolean value) {
      snapshotOnDisk = value;
      return this;
    }

    public Builder optimizers(List<String> value) {
      optimizers = value;
      return this;
    }

    public RangeTestConfig build() {
      return new RangeTestConfig(startLr, endLr, budget, schedule, beta, stopFactor, skipBegin,
          batchSize, shuffle, seed, validationBatches, snapshotOnDisk, optimizers);
    }
  }
}
