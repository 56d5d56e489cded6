package dev.lrfinder.spark;

import dev.lrfinder.lab.EpochRecord;
import dev.lrfinder.lab.StopReason;
import dev.lrfinder.lab.TrainingConfig;
import dev.lrfinder.lab.TrainingResult;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;

/**
 * What one Spark task sends back: a run's {@link TrainingResult} without its config (the driver
 * has the same config, fitted from the same settings) or the error of its last attempt. Java
 * serialization keeps every {@code double} bit for bit.
 *
 * @param index the run's index in the sweep
 * @param attempts the attempts the task made (Spark's attempt number + 1)
 * @param executor the executor that ran the last attempt
 * @param trained the result, or {@code null} when the run failed
 * @param error the last attempt's error, or {@code null} when the run trained
 */
record RunRecord(int index, int attempts, String executor, Trained trained, String error)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  RunRecord {
    if ((trained == null) == (error == null)) {
      throw new IllegalArgumentException("a run record holds a result or an error");
    }
  }

  /** A run that trained. */
  static RunRecord of(int index, int attempts, String executor, TrainingResult result) {
    return new RunRecord(index, attempts, executor, Trained.of(result), null);
  }

  /** A run that failed on its last allowed attempt. */
  static RunRecord failed(int index, int attempts, String executor, String error) {
    return new RunRecord(index, attempts, executor, null, error);
  }

  /**
   * The result with the driver's {@code config} of the run; a failed run as
   * {@link TrainingResult#failed}.
   */
  TrainingResult toResult(TrainingConfig config) {
    if (trained == null) {
      return TrainingResult.failed(config, error + " (" + attempts
          + (attempts == 1 ? " attempt" : " attempts") + ", last on executor " + executor + ")");
    }
    return trained.toResult(config);
  }

  /** A {@link TrainingResult} less its config, in serializable parts. */
  record Trained(String schedule, List<Epoch> epochs, double[] stepRates, double[] stepLosses,
      long stepsPerEpoch, long trainRows, long validationRows, StopReason stopReason,
      String stopDetail, List<String> notes, double seconds, double[] stepMomenta)
      implements Serializable {
    private static final long serialVersionUID = 1L;

    static Trained of(TrainingResult r) {
      return new Trained(r.schedule(), r.epochs().stream().map(Epoch::of).toList(),
          doubles(r.stepRates()), doubles(r.stepLosses()), r.stepsPerEpoch(), r.trainRows(),
          r.validationRows(), r.stopReason(), r.stopDetail(), List.copyOf(r.notes()),
          r.seconds(), doubles(r.stepMomenta()));
    }

    TrainingResult toResult(TrainingConfig config) {
      return new TrainingResult(Objects.requireNonNull(config, "config"), schedule,
          epochs.stream().map(Epoch::toRecord).toList(), list(stepRates), list(stepLosses),
          stepsPerEpoch, trainRows, validationRows, stopReason, stopDetail, notes, seconds,
          list(stepMomenta));
    }

    private static double[] doubles(List<Double> values) {
      return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static List<Double> list(double[] values) {
      return Arrays.stream(values).boxed().toList();
    }
  }

  /** An {@link EpochRecord}, its logs in their order. */
  record Epoch(int epoch, long steps, LinkedHashMap<String, Double> train,
      LinkedHashMap<String, Double> validation, double learningRate, String decision,
      boolean complete, double seconds) implements Serializable {
    private static final long serialVersionUID = 1L;

    static Epoch of(EpochRecord e) {
      return new Epoch(e.epoch(), e.steps(), new LinkedHashMap<>(e.train()),
          new LinkedHashMap<>(e.validation()), e.learningRate(), e.decision(), e.complete(),
          e.seconds());
    }

    EpochRecord toRecord() {
      return new EpochRecord(epoch, steps, train, validation, learningRate, decision, complete,
          seconds);
    }
  }

  /** The records' results in run order (a helper of the merge). */
  static List<RunRecord> inOrder(List<RunRecord> records, int runs) {
    RunRecord[] ordered = new RunRecord[runs];
    for (RunRecord record : records) {
      if (ordered[record.index()] != null) {
        throw new IllegalStateException("two results for run " + record.index());
      }
      ordered[record.index()] = record;
    }
    List<RunRecord> list = new ArrayList<>(Arrays.asList(ordered));
    if (list.contains(null)) {
      throw new IllegalStateException("a run has no result");
    }
    return list;
  }
}
