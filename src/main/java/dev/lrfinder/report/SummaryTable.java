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
    return out.toString();
  }
}
