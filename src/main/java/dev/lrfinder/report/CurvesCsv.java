package dev.lrfinder.report;

import dev.lrfinder.model.OutputSpec;
import dev.lrfinder.rangetest.OptimizerCurve;
import java.util.List;

/**
 * Every recorded step of every optimizer in long format, {@code
 * optimizer,step,lr,loss,train_loss,smoothed}: steps count from 0, numbers are written with full
 * double precision ({@link Double#toString}) and NaN or infinite values as an empty cell. A model
 * with several outputs has one more column per output, {@code <output>_loss}: that output's own
 * (unweighted) training loss, of which {@code train_loss} is the weighted total.
 */
public final class CurvesCsv {
  public static final String FILE_NAME = "curves.csv";
  public static final String HEADER = "optimizer,step,lr,loss,train_loss,smoothed";

  private CurvesCsv() {}

  /** The whole file: the header, then one line per step, with {@code \n} line ends. */
  public static String render(ReportInput input) {
    List<OutputSpec> outputs = input.contract().hasSeveralOutputs()
        ? input.contract().outputs() : List.of();
    StringBuilder out = new StringBuilder(HEADER);
    outputs.forEach(o -> out.append(',').append(cell(o.lossOutputName())));
    out.append('\n');
    for (OptimizerCurve curve : input.result().curves()) {
      String optimizer = cell(curve.optimizer());
      for (int step = 0; step < curve.stepsRun(); step++) {
        out.append(optimizer).append(',').append(step);
        for (List<Double> column : List.of(curve.learningRates(), curve.losses(),
            curve.trainLosses(), curve.smoothedLosses())) {
          out.append(',').append(number(column.get(step)));
        }
        for (OutputSpec o : outputs) {
          List<Double> own = curve.outputLosses().get(o.key());
          out.append(',').append(own == null ? "" : number(own.get(step)));
        }
        out.append('\n');
      }
    }
    return out.toString();
  }

  static String number(double value) {
    return Double.isFinite(value) ? Double.toString(value) : "";
  }

  /** RFC 4180 quoting for names with commas, quotes or line breaks. */
  static String cell(String text) {
    if (text.indexOf(',') < 0 && text.indexOf('"') < 0 && text.indexOf('\n') < 0
        && text.indexOf('\r') < 0) {
      return text;
    }
    return '"' + text.replace("\"", "\"\"") + '"';
  }
}
