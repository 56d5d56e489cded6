package dev.lrfinder.report;

import dev.lrfinder.lab.EpochRecord;
import dev.lrfinder.lab.TrainingResult;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The training report's tables: {@code epochs.csv}, one line per epoch with the training and
 * validation values as Keras logs name them, and {@code steps.csv}, one line per step with its
 * rate and loss. Numbers in Java's shortest exact form; a missing or non-finite value is empty.
 */
public final class TrainingCsv {
  /** The per-epoch table. */
  public static final String EPOCHS_FILE = "epochs.csv";
  /** The per-step table. */
  public static final String STEPS_FILE = "steps.csv";

  private TrainingCsv() {}

  /** The columns of the per-epoch values: training keys, then {@code val_} keys. */
  static List<String> logKeys(TrainingResult result) {
    Set<String> keys = new LinkedHashSet<>();
    result.epochs().forEach(e -> keys.addAll(e.train().keySet()));
    Set<String> validation = new LinkedHashSet<>();
    result.epochs().forEach(e -> e.validation().keySet().forEach(k -> validation.add("val_" + k)));
    List<String> all = new ArrayList<>(keys);
    all.addAll(validation);
    return all;
  }

  /** {@code epochs.csv}: epoch (1-based, as Keras prints it), steps, complete, rate, logs. */
  public static String epochs(TrainingResult result) {
    List<String> keys = logKeys(result);
    StringBuilder out = new StringBuilder("epoch,steps,complete,learning_rate");
    keys.forEach(k -> out.append(',').append(cell(k)));
    out.append(",decision,seconds\n");
    for (EpochRecord epoch : result.epochs()) {
      out.append(epoch.epoch() + 1).append(',');
      appendEpochCells(out, epoch, keys);
    }
    return out.toString();
  }

  /**
   * One epoch's cells after its number, to the end of the line: steps, complete, learning rate,
   * the value of each of {@code keys} (empty when the epoch has none), decision, seconds.
   */
  static void appendEpochCells(StringBuilder out, EpochRecord epoch, List<String> keys) {
    out.append(epoch.steps()).append(',').append(epoch.complete()).append(',')
        .append(number(epoch.learningRate()));
    var logs = epoch.logs();
    for (String key : keys) {
      Double value = logs.get(key);
      out.append(',').append(value == null ? "" : number(value));
    }
    out.append(',').append(cell(epoch.decision())).append(',')
        .append(number(epoch.seconds())).append('\n');
  }

  /**
   * {@code steps.csv}: step (0-based over the run), epoch (1-based), rate, training loss, and the
   * momentum set before the step when the run set one (a last column {@code momentum}).
   */
  public static String steps(TrainingResult result) {
    boolean momentum = !result.stepMomenta().isEmpty();
    StringBuilder out = new StringBuilder("step,epoch,learning_rate,loss"
        + (momentum ? ",momentum" : "") + "\n");
    for (int step = 0; step < result.stepRates().size(); step++) {
      out.append(step).append(',').append(step / result.stepsPerEpoch() + 1).append(',')
          .append(number(result.stepRates().get(step))).append(',')
          .append(number(result.stepLosses().get(step)));
      if (momentum) {
        out.append(',').append(number(result.stepMomenta().get(step)));
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static String number(double value) {
    return Double.isFinite(value) ? Double.toString(value) : "";
  }

  /** RFC 4180 quoting for text with commas, quotes or line breaks. */
  static String cell(String text) {
    if (text.indexOf(',') < 0 && text.indexOf('"') < 0 && text.indexOf('\n') < 0
        && text.indexOf('\r') < 0) {
      return text;
    }
    return '"' + text.replace("\"", "\"\"") + '"';
  }
}
