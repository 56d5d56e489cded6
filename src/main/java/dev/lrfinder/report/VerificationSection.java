package dev.lrfinder.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lrfinder.rangetest.OptimizerVerification;
import dev.lrfinder.rangetest.VerificationResult;
import dev.lrfinder.rangetest.VerifiedRate;
import java.util.ArrayList;
import java.util.List;

/**
 * The report's parts for suggestions verified by training ({@code find --verify N}): the
 * {@code verification} object of {@code result.json}, {@code verification.csv} and the rows of
 * the page's table (rule, rate, held-out loss after N steps, rank, recommended).
 */
public final class VerificationSection {
  public static final String CSV_FILE_NAME = "verification.csv";
  public static final String CSV_HEADER = "optimizer,rank,rules,lr,held_out_loss,final_train_loss,"
      + "steps_run,diverged,recommended,stop_reason";

  private VerificationSection() {}

  /** One line of the page's table. */
  record Row(String color, String optimizer, String rules, String lr, String heldOutLoss,
      String rank, boolean recommended, boolean diverged, String flag) {}

  /** One optimizer's table on the page. */
  record Table(String color, String optimizer, String startLoss, List<Row> rows) {}

  /** What the page shows, or null without a verification. */
  record Page(String steps, String heldOut, List<Table> tables, boolean nothingToVerify) {}

  static Page page(ReportInput input) {
    VerificationResult result = input.verification();
    if (result == null) {
      return null;
    }
    List<String> order = input.result().curves().stream().map(c -> c.optimizer()).toList();
    List<Table> tables = new ArrayList<>();
    for (OptimizerVerification o : result.optimizers()) {
      String color = ChartStyle.cssColor(Math.max(0, order.indexOf(o.optimizer())));
      List<Row> rows = new ArrayList<>();
      for (VerifiedRate r : o.ranked()) {
        rows.add(new Row(color, o.optimizer(), String.join(", ", r.rules()),
            Format.lr(r.learningRate()),
            Double.isNaN(r.heldOutLoss()) ? "not measured" : Format.number(r.heldOutLoss()),
            Integer.toString(r.rank()), r.recommended(), r.diverged(), flag(r, result.steps())));
      }
      tables.add(new Table(color, o.optimizer(), Format.number(o.startHeldOutLoss()), rows));
    }
    return new Page(Integer.toString(result.steps()), result.heldOut(), tables, tables.isEmpty());
  }

  private static String flag(VerifiedRate r, int steps) {
    if (r.recommended()) {
      return "recommended";
    }
    if (r.diverged()) {
      return Double.isFinite(r.heldOutLoss()) && Double.isFinite(r.finalTrainLoss())
          ? "diverged: held-out loss above the start" : "diverged: loss became NaN or infinite";
    }
    if (r.stepsRun() < steps) {
      return r.stepsRun() + " of " + steps + " steps: " + r.stopReason().description();
    }
    return "";
  }

  /** The {@code verification} object of {@code result.json}. */
  static ObjectNode json(VerificationResult result) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("steps", result.steps());
    node.put("held_out", result.heldOut());
    node.put("held_out_rows", result.heldOutRows());
    ArrayNode optimizers = node.putArray("optimizers");
    for (OptimizerVerification o : result.optimizers()) {
      ObjectNode optimizer = optimizers.addObject();
      optimizer.put("optimizer", o.optimizer());
      optimizer.put("start_held_out_loss", o.startHeldOutLoss());
      optimizer.put("recommended_lr", o.recommendation().map(VerifiedRate::learningRate)
          .orElse(Double.NaN));
      ArrayNode runs = optimizer.putArray("ranked");
      for (VerifiedRate r : o.ranked()) {
        ObjectNode run = runs.addObject();
        run.put("rank", r.rank());
        ArrayNode rules = run.putArray("rules");
        r.rules().forEach(rules::add);
        run.put("lr", r.learningRate());
        run.put("held_out_loss", r.heldOutLoss());
        run.put("final_train_loss", r.finalTrainLoss());
        run.put("steps_run", r.stepsRun());
        run.put("diverged", r.diverged());
        run.put("recommended", r.recommended());
        run.put("stop_reason", r.stopReason().name());
      }
    }
    return node;
  }

  /** {@code verification.csv}: {@link #CSV_HEADER}, then a line per run, by optimizer and rank. */
  public static String csv(VerificationResult result) {
    StringBuilder out = new StringBuilder(CSV_HEADER).append('\n');
    for (OptimizerVerification o : result.optimizers()) {
      for (VerifiedRate r : o.ranked()) {
        out.append(CurvesCsv.cell(o.optimizer())).append(',').append(r.rank()).append(',')
            .append(CurvesCsv.cell(String.join(" ", r.rules()))).append(',')
            .append(CurvesCsv.number(r.learningRate())).append(',')
            .append(CurvesCsv.number(r.heldOutLoss())).append(',')
            .append(CurvesCsv.number(r.finalTrainLoss())).append(',')
            .append(r.stepsRun()).append(',').append(r.diverged()).append(',')
            .append(r.recommended()).append(',').append(r.stopReason().name()).append('\n');
      }
    }
    return out.toString();
  }
}
