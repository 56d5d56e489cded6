package dev.lrfinder.lab;

import dev.lrfinder.data.Batch;
import dev.lrfinder.data.BatchSource;
import dev.lrfinder.data.Batches;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.model.ModelSnapshot;
import dev.lrfinder.model.OptimizerInfo;
import dev.lrfinder.model.StepResult;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.model.TrainingPath;
import dev.lrfinder.rangetest.CancellationToken;
import dev.lrfinder.schedule.EpochDecision;
import dev.lrfinder.schedule.EpochRule;
import dev.lrfinder.schedule.Schedule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Trains a model epoch by epoch as Keras's {@code fit} does, and records its learning curves.
 *
 * <p>Each epoch visits the training rows in the order {@link Batches} draws for it
 * ({@code new Random(seed + epoch)}, or file order) in batches of the config's size, the last one
 * smaller unless the config drops it (Keras's {@code fit} trains it).
 *
 * <p>Before every step the rate comes from the config's {@link Schedule} (0-based step over the
 * whole run, 0-based epoch) and is set in the same call as the step
 * ({@link TrainableModel#trainStep(String, double, Batch)}). A schedule that also gives a
 * momentum (one-cycle) has it set in that call too where the model can
 * ({@link TrainableModel#hasSettableMomentum}; {@link TrainableModel#trainStep(String, double,
 * double, Batch)}); where it cannot, the steps keep the optimizer's own momentum and the result's
 * notes say why. A run that set the momentum leaves it at the last step's value.
 *
 * <p>After each epoch the validation data
 * is evaluated ({@link Evaluation}), then each {@link EpochRule} sees the epoch's logs (keyed as
 * Keras names them) and the optimizer's rate as its variable holds it; a rule's new rate is the
 * rate of every following step, which only makes sense on a constant schedule: a rule that changes
 * the rate of a schedule that varies is refused ({@link IllegalArgumentException}). Training stops
 * after the last epoch, when a rule says so, when a step's loss is NaN or infinite, when the token
 * is cancelled or the thread interrupted (each checked before every step). A rule whose tracker
 * names a best epoch ({@code EarlyStopping} with {@code restore_best_weights}) has every variable
 * copied after that epoch and put back when training ends.
 *
 * <p>The model is left trained: a run does not restore it. To train several configurations from
 * one start state (a sweep), snapshot once and restore before each run; every variable, optimizer
 * slots, iteration counters and Dropout's RNG state included, comes back bit for bit, and the same
 * config gives the same batches, so two runs of one config give the same curves bit for bit:
 *
 * <pre>{@code
 * ModelSnapshot start = model.snapshot();
 * for (TrainingConfig config : configs) {
 *   model.restore(start);
 *   results.add(new EpochTrainer(config).run(model, train, test));
 * }
 * model.restore(start);
 * }</pre>
 */
public final class EpochTrainer {
  private final TrainingConfig config;
  private final List<EpochListener> listeners;

  /** A trainer that reports each epoch to {@code listeners}. */
  public EpochTrainer(TrainingConfig config, List<EpochListener> listeners) {
    this.config = java.util.Objects.requireNonNull(config, "config");
    this.listeners = List.copyOf(listeners);
  }

  /** A trainer without listeners. */
  public EpochTrainer(TrainingConfig config) {
    this(config, List.of());
  }

  public TrainingConfig config() {
    return config;
  }

  /** The training rows and the held-out rows of a validation split. */
  /**
   * Splits {@code data} as Keras's {@code validation_split} does: see
   * {@link Dataset#validationSplit}.
   */
  public static Dataset.Split split(Dataset data, double fraction) {
    return data.validationSplit(fraction);
  }

  /** {@link #run(TrainableModel, Dataset, Dataset, CancellationToken)} with a fresh token. */
  public TrainingResult run(TrainableModel model, Dataset train, Dataset validation) {
    return run(model, train, validation, new CancellationToken());
  }

  /**
   * Trains on the config's seeded batches of {@code train} (less its validation split, if the
   * config has one) and validates on the split or on {@code validation}.
   *
   * @param train data conformed to the model ({@link TrainableModel#conform})
   * @param validation held-out data conformed to the model, or {@code null}; must be null when
   *     the config has a validation split
   * @throws IllegalArgumentException for an optimizer the model lacks, both a split and
   *     validation data, too few rows, or a rule that changes the rate of a varying schedule
   */
  public TrainingResult run(TrainableModel model, Dataset train, Dataset validation,
      CancellationToken token) {
    Dataset training = train;
    Dataset held = validation;
    if (config.validationSplit() > 0) {
      if (validation != null) {
        throw new IllegalArgumentException("give validation data or a validation split, not"
            + " both");
      }
      Dataset.Split split = split(train, config.validationSplit());
      training = split.train();
      held = split.validation();
    }
    if (training.rows() < config.batchSize()) {
      throw new IllegalArgumentException("the training data has " + training.rows()
          + " rows, fewer than the batch size " + config.batchSize());
    }
    Dataset rows = training;
    // Epoch e's order is the permutation Batches draws for it (seed + e): batches of the whole
    // data give each epoch's permutation as the rows of one step.
    Batches orders = new Batches(rows, Math.toIntExact(rows.rows()), config.shuffle(),
        config.seed());
    int batch = config.batchSize();
    long perEpoch = config.dropRemainder() ? rows.rows() / batch
        : (rows.rows() + batch - 1) / batch;
    return run(model, new Steps(perEpoch, rows.rows(), (step, epoch, inEpoch) -> {
      int[] order = orders.rowsOf(epoch);
      int from = Math.toIntExact(inEpoch * batch);
      return rows.batch(java.util.Arrays.copyOfRange(order, from,
          Math.min(from + batch, order.length)));
    }), held, token);
  }

  /**
   * The row order of epoch {@code epoch} of {@code train} (after its validation split): the
   * permutation the run's batches are cut from, {@code batchSize} rows at a time, so another
   * program can replay them (Keras {@code fit(x[order], y[order], shuffle=False)}).
   */
  public int[] epochOrder(Dataset train, int epoch) {
    Dataset rows = config.validationSplit() > 0 ? split(train, config.validationSplit()).train()
        : train;
    return new Batches(rows, Math.toIntExact(rows.rows()), config.shuffle(), config.seed())
        .rowsOf(epoch);
  }

  /** Where the steps' batches come from. */
  private record Steps(long perEpoch, long rows, StepBatch batches) {}

  /** The batch of a step: its number over the run, its epoch and its number in the epoch. */
  @FunctionalInterface
  private interface StepBatch {
    Batch of(long step, int epoch, long inEpoch);
  }

  /**
   * Trains on the batches of {@code source} (its order, not the config's shuffle and seed; the
   * config's validation split does not apply) and validates on {@code validation}, if given.
   *
   * @throws IllegalArgumentException for an optimizer the model lacks, a source without batches
   *     or with another batch size than the config's, or a rule that changes the rate of a
   *     varying schedule
   */
  public TrainingResult run(TrainableModel model, BatchSource source, Dataset validation,
      CancellationToken token) {
    if (source.stepsPerEpoch() <= 0) {
      throw new IllegalArgumentException("the training data gives no batch of "
          + config.batchSize() + " rows");
    }
    if (source.batchSize() != config.batchSize()) {
      throw new IllegalArgumentException("the batch source gives batches of "
          + source.batchSize() + " rows, the config asks for " + config.batchSize());
    }
    return run(model, new Steps(source.stepsPerEpoch(), source.rows(),
        (step, epoch, inEpoch) -> source.batch(step)), validation, token);
  }

  private TrainingResult run(TrainableModel model, Steps steps, Dataset validation,
      CancellationToken token) {
    String optimizer = config.optimizer();
    model.contract().requireOptimizer(optimizer);
    long stepsPerEpoch = steps.perEpoch();
    Schedule schedule = config.schedule()
        .orElseGet(() -> Schedule.constant(model.learningRate(optimizer)));
    List<String> notes = new ArrayList<>();
    boolean setMomentum = false; // whether each step sets the schedule's momentum
    if (schedule.momentum(0, 0).isPresent()) {
      setMomentum = model.hasSettableMomentum(optimizer);
      if (!setMomentum) {
        notes.add("one-cycle's momentum is not applied: " + whyNoMomentum(model, optimizer));
      }
    }
    List<EpochRule.Tracker> trackers = config.rules().stream().map(EpochRule::start).toList();
    ModelSnapshot best = null; // the weights a rule asks to keep (restore_best_weights)
    int bestEpoch = -1;
    listeners.forEach(l -> l.onStart(optimizer, config.epochs(), stepsPerEpoch));

    List<EpochRecord> epochs = new ArrayList<>();
    List<Double> rates = new ArrayList<>();
    List<Double> losses = new ArrayList<>();
    List<Double> momenta = new ArrayList<>(); // only when the schedule's momentum is set
    double ruleRate = Double.NaN; // a rule's rate, once one changed it
    StopReason stop = StopReason.EPOCHS_DONE;
    String detail = "";
    long started = System.nanoTime();
    long step = 0;
    epochLoop:
    for (int epoch = 0; epoch < config.epochs(); epoch++) {
      long epochStart = System.nanoTime();
      Evaluation.Accumulator trainMeans = new Evaluation.Accumulator();
      double rate = Double.NaN;
      for (long inEpoch = 0; inEpoch < stepsPerEpoch; inEpoch++, step++) {
        if (token.isCancelled() || Thread.currentThread().isInterrupted()) {
          stop = token.isCancelled() ? StopReason.CANCELLED : StopReason.INTERRUPTED;
          if (inEpoch > 0) {
            epochs.add(new EpochRecord(epoch, inEpoch, trainMeans.result(), Map.of(), rate, "",
                false, seconds(epochStart)));
          }
          break epochLoop;
        }
        rate = Double.isNaN(ruleRate) ? schedule.learningRate(step, epoch) : ruleRate;
        Batch batch = steps.batches().of(step, epoch, inEpoch);
        StepResult result;
        if (setMomentum) {
          double momentum = schedule.momentum(step, epoch).getAsDouble();
          result = model.trainStep(optimizer, rate, momentum, batch);
          momenta.add(momentum);
        } else {
          result = model.trainStep(optimizer, rate, batch);
        }
        rates.add(rate);
        losses.add(result.loss());
        trainMeans.add(result, batch.size());
        if (!Double.isFinite(result.loss())) {
          stop = StopReason.DIVERGED;
          detail = "the loss of step " + step + " (epoch " + (epoch + 1) + ") is "
              + result.loss();
          epochs.add(new EpochRecord(epoch, inEpoch + 1, trainMeans.result(), Map.of(), rate,
              "", false, seconds(epochStart)));
          break epochLoop;
        }
      }
      Map<String, Double> validated = validation == null ? Map.of()
          : Evaluation.of(model, validation, config.batchSize());
      EpochRecord record = new EpochRecord(epoch, stepsPerEpoch, trainMeans.result(), validated,
          rate, "", true, 0);
      Map<String, Double> logs = record.logs();
      List<String> said = new ArrayList<>();
      boolean stopNow = false;
      for (int r = 0; r < trackers.size(); r++) {
        double current = model.learningRate(optimizer); // as the variable holds it (float32)
        EpochDecision decision = trackers.get(r).onEpochEnd(epoch, logs, current);
        if (!decision.reason().isEmpty()) {
          said.add(decision.reason());
        }
        if (decision.learningRate() != current) {
          requireConstant(schedule, config.epochs() * stepsPerEpoch, stepsPerEpoch,
              config.rules().get(r));
          ruleRate = decision.learningRate();
          model.setLearningRate(optimizer, ruleRate);
        }
        stopNow |= decision.stop();
        java.util.OptionalInt keep = trackers.get(r).bestEpoch();
        if (keep.isPresent() && keep.getAsInt() == epoch) {
          best = model.snapshot();
          bestEpoch = epoch;
        }
      }
      record = new EpochRecord(epoch, stepsPerEpoch, record.train(), validated, rate,
          String.join("; ", said), true, seconds(epochStart));
      epochs.add(record);
      EpochRecord done = record;
      listeners.forEach(l -> l.onEpochEnd(done));
      if (stopNow) {
        stop = StopReason.EARLY_STOPPING;
        detail = done.decision();
        break;
      }
    }
    if (best != null && stop != StopReason.CANCELLED && stop != StopReason.INTERRUPTED) {
      // As Keras's EarlyStopping.on_train_end; every variable, optimizer state included (Keras
      // puts back the layers' weights only).
      model.restore(best);
      notes.add("the model holds the weights of epoch " + (bestEpoch + 1)
          + " (restore_best_weights), not those of the last epoch");
    }
    return new TrainingResult(config, schedule.describe(), epochs, rates, losses, stepsPerEpoch,
        steps.rows(), validation == null ? 0 : validation.rows(), stop, detail, notes,
        seconds(started), momenta);
  }

  /** Why {@code model} cannot set the momentum of {@code optimizer}, in words. */
  private static String whyNoMomentum(TrainableModel model, String optimizer) {
    Optional<OptimizerInfo> info = model.contract().optimizers().stream()
        .filter(o -> o.key().equals(optimizer)).findFirst();
    if (model.trainingPath().kind() == TrainingPath.Kind.EXPORTED
        && info.map(EpochTrainer::hasMomentumTerm).orElse(true)) {
      return "this export's step function has the optimizer's momentum fixed in it (it has no"
          + " set_momentum_" + optimizer + " signature: exported before scripts/export.py added"
          + " them); a new export, or the direct path on a Keras 2 SavedModel, sets it";
    }
    String className = info.map(OptimizerInfo::className).orElse("?");
    return "optimizer '" + optimizer + "' (" + className + ") has no momentum in its update"
        + " (SGD and RMSprop have one only with momentum > 0, Adagrad none)";
  }

  /**
   * Whether the optimizer's update has a momentum one-cycle could set, by its Keras class and
   * config: SGD and RMSprop with {@code momentum > 0}, Adam and AdamW ({@code beta_1}).
   */
  private static boolean hasMomentumTerm(OptimizerInfo info) {
    return switch (info.className()) {
      case "SGD", "RMSprop" -> info.config().get("momentum") instanceof Number m
          && m.doubleValue() > 0;
      case "Adam", "AdamW" -> true;
      default -> false;
    };
  }

  /**
   * Refuses a rule's new rate on a schedule whose rate changes over the run (a schedule holds
   * no state, so asking it for every step of the run tells).
   */
  private static void requireConstant(Schedule schedule, long steps, long stepsPerEpoch,
      EpochRule rule) {
    double first = schedule.learningRate(0, 0);
    for (long s = 1; s < steps; s++) {
      if (schedule.learningRate(s, (int) (s / stepsPerEpoch)) != first) {
        throw new IllegalArgumentException("'" + rule.describe() + "' changes the learning rate,"
            + " which needs a constant schedule, but the schedule is '" + schedule.describe()
            + "'");
      }
    }
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
