package dev.lrfinder.report;

import java.util.ArrayList;
import java.util.List;

/**
 * The range test's result as a plain-text table for the terminal: one line per optimizer with
 * its suggested learning rates ({@code -} where a rule found none), the lowest smoothed loss
 * inside the skip window and its learning rate, the steps run, why it stopped and how long it
 * took; under it, for each optimizer whose loss never fell, a line that says so.
 */
public final class SummaryTable {
  private static final String GAP = "  ";

  private SummaryTable() {}

  /** The verification's ranking: one line per optimizer and rate, best first. */
  private static String verification(dev.lrfinder.rangetest.VerificationResult result) {
    StringBuilder out = new StringBuilder("verified by training ").append(result.steps())
        .append(" steps at each rate; held-out loss on ").append(result.heldOut())
        .append(result.optimizers().isEmpty() ? ": no optimizer had a suggestion to verify\n"
            : ":\n");
    int width = result.optimizers().stream().mapToInt(o -> o.optimizer().length()).max()
        .orElse(1);
    int rules = result.optimizers().stream().flatMap(o -> o.ranked().stream())
        .mapToInt(r -> r.ruleNames().length()).max().orElse(1);
    for (dev.lrfinder.rangetest.OptimizerVerification o : result.optimizers()) {
      for (dev.lrfinder.rangetest.VerifiedRate r : o.ranked()) {
        out.append(String.format(java.util.Locale.ROOT, "  %-" + width + "s %2d. %-8s %-" + rules
            + "s  %s%s\n", o.optimizer(), r.rank(), Format.lr(r.learningRate()), r.ruleNames(),
            Double.isNaN(r.heldOutLoss()) ? "not measured" : Format.number(r.heldOutLoss()),
            r.recommended() ? "  recommended" : r.diverged() ? "  diverged" : ""));
      }
    }
    return out.toString();
  }

  /** The table: a header line, then one line per optimizer, each ending in a newline. */
  public static String render(ReportInput input) {
    List<String> header = new ArrayList<>();
    header.add("optimizer");
    header.addAll(SummaryRow.RULE_COLUMNS);
    header.addAll(List.of("cyclical", "min loss", "at lr", "steps", "stop", "seconds"));
    boolean[] rightAligned = new boolean[header.size()];
    int numeric = header.indexOf("min loss");
    rightAligned[numeric] = true;
    rightAligned[header.indexOf("steps")] = true;
    rightAligned[header.indexOf("seconds")] = true;

    List<List<String>> lines = new ArrayList<>();
    lines.add(header);
    for (SummaryRow row : SummaryRow.of(input)) {
      List<String> cells = new ArrayList<>();
      cells.add(row.optimizer());
      SummaryRow.RULE_COLUMNS.forEach(rule -> cells.add(row.lr(rule)));
      cells.add(row.cyclical(".."));
      cells.add(Format.number(row.minLoss()));
      cells.add(Format.lr(row.minLossLr()));
      cells.add(row.steps());
      cells.add(Format.stopShort(row.stopReason()));
      cells.add(Format.seconds(row.seconds()));
      lines.add(cells);
    }

    int[] widths = new int[header.size()];
    for (List<String> cells : lines) {
      for (int c = 0; c < cells.size(); c++) {
        widths[c] = Math.max(widths[c], cells.get(c).length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (List<String> cells : lines) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < cells.size(); c++) {
        if (c > 0) {
          line.append(GAP);
        }
        String cell = cells.get(c);
        String pad = " ".repeat(widths[c] - cell.length());
        line.append(rightAligned[c] ? pad + cell : cell + pad);
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    input.neverFell().forEach(line -> out.append(line).append('\n'));
    if (input.verification() != null) {
      out.append(verification(input.verification()));
    }
    if (input.repeats() != null) {
      out.append("over ").append(input.repeats().repeats()).append(" batch orders (seeds ")
          .append(input.repeats().seeds().stream().map(String::valueOf)
              .collect(java.util.stream.Collectors.joining(", ")))
          .append("): ").append(input.repeats().flagged().isEmpty()
              ? "no rule moved by more than " + Format.value(
                  dev.lrfinder.suggest.RepeatedRuns.SPREAD_FLAG_DECADES) + " decades\n"
              : "rules whose suggestion depends on the batch order:\n");
      input.repeats().flagged().forEach(line -> out.append("  ").append(line).append('\n'));
    }
    return out.toString();
  }
}
