package dev.lrfinder.report;

import dev.lrfinder.lab.EpochRecord;
import dev.lrfinder.lab.SweepRun;
import dev.lrfinder.lab.TrainingConfig;
import dev.lrfinder.lab.TrainingResult;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The sweep report's tables: {@code runs.csv}, one line per run with its settings and its final
 * and best values ({@code final_<key>}, {@code best_<key>}, {@code best_<key>_epoch} for every
 * log key), and {@code epochs.csv}, one line per run and epoch with the values as Keras logs name
 * them. Numbers in Java's shortest exact form; a missing or non-finite value is empty.
 */
public final class SweepCsv {
  /** The per-run table. */
  public static final String RUNS_FILE = "runs.csv";
  /** The per-epoch table of every run. */
  public static final String EPOCHS_FILE = "epochs.csv";

  private SweepCsv() {}

  /** {@code runs.csv}. */
  public static String runs(SweepReportInput input) {
    List<TrainingResult> results = input.result().results();
    List<String> keys = SweepMetrics.keys(results);
    StringBuilder out = new StringBuilder("run,label,value,optimizer,schedule,rules,batch_size,"
        + "epochs,epochs_run,stop_reason,seconds");
    keys.forEach(k -> out.append(",final_").append(cell(k)));
    keys.forEach(k -> out.append(",best_").append(cell(k)).append(",best_").append(cell(k))
        .append("_epoch"));
    out.append('\n');
    for (int i = 0; i < results.size(); i++) {
      TrainingResult result = results.get(i);
      TrainingConfig config = result.config();
      SweepRun run = input.result().runs().get(i);
      long complete = result.epochs().stream().filter(EpochRecord::complete).count();
      out.append(i + 1).append(',').append(cell(run.label())).append(',')
          .append(cell(input.value(i))).append(',').append(cell(config.optimizer())).append(',')
          .append(cell(result.schedule())).append(',')
          .append(cell(String.join("; ", config.rules().stream().map(r -> r.describe())
              .toList()))).append(',').append(config.batchSize()).append(',')
          .append(config.epochs()).append(',').append(complete).append(',')
          .append(result.stopReason().name().toLowerCase(Locale.ROOT)).append(',')
          .append(number(result.seconds()));
      for (String key : keys) {
        out.append(',').append(SweepMetrics.last(result, key).map(SweepCsv::number).orElse(""));
      }
      for (String key : keys) {
        Optional<SweepMetrics.Best> best = SweepMetrics.best(result, key);
        out.append(',').append(best.map(b -> number(b.value())).orElse("")).append(',')
            .append(best.map(b -> String.valueOf(b.epoch())).orElse(""));
      }
      out.append('\n');
    }
    return out.toString();
  }

  /** {@code epochs.csv}: run, label, epoch (1-based), steps, complete, rate, logs. */
  public static String epochs(SweepReportInput input) {
    List<TrainingResult> results = input.result().results();
    List<String> keys = SweepMetrics.keys(results);
    StringBuilder out = new StringBuilder("run,label,epoch,steps,complete,learning_rate");
    keys.forEach(k -> out.append(',').append(cell(k)));
    out.append(",decision,seconds\n");
    for (int i = 0; i < results.size(); i++) {
      String label = cell(input.result().runs().get(i).label());
      for (EpochRecord epoch : results.get(i).epochs()) {
        out.append(i + 1).append(',').append(label).append(',').append(epoch.epoch() + 1)
            .append(',');
        TrainingCsv.appendEpochCells(out, epoch, keys);
      }
    }
    return out.toString();
  }

  private static String number(Double value) {
    return value != null && Double.isFinite(value) ? Double.toString(value) : "";
  }

  private static String cell(String text) {
    return TrainingCsv.cell(text);
  }
}
