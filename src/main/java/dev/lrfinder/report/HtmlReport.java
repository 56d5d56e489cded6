package dev.lrfinder.report;

import static dev.lrfinder.report.Format.html;

import dev.lrfinder.model.ModelContract;
import dev.lrfinder.model.OptimizerInfo;
import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.rangetest.RangeTestResult;
import dev.lrfinder.suggest.CyclicalBounds;
import dev.lrfinder.suggest.Suggestion;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The report's {@code index.html}: one self-contained page (inline CSS, no scripts, nothing
 * fetched from the network) with the summary table, the charts beside it as PNG files, the
 * suggestions with how each was found, the model's contract, the run's settings and environment.
 */
public final class HtmlReport {
  public static final String FILE_NAME = "index.html";

  private static final String STYLE = String.join("\n",
      "body{margin:0;background:#f4f4f4;color:#222;"
          + "font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif}",
      "main{max-width:1240px;margin:0 auto;padding:20px 32px 48px;background:#fff}",
      "h1{font-size:1.7em;margin:.3em 0 .1em}",
      "h2{font-size:1.25em;margin:1.8em 0 .6em;border-bottom:1px solid #ddd;padding-bottom:.2em}",
      "h3{font-size:1.05em;margin:1.2em 0 .4em}",
      ".meta{color:#555;margin-top:0}",
      "ul.notice{background:#fff6e0;border-left:4px solid #e0a000;margin:0;padding:8px 12px 8px"
          + " 32px}",
      ".scroll{overflow-x:auto}",
      "table{border-collapse:collapse;font-size:14px}",
      "th,td{border-bottom:1px solid #e6e6e6;padding:4px 10px;text-align:left;vertical-align:top}",
      "th{background:#f3f3f3;font-weight:600;white-space:nowrap}",
      "td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}",
      "td.lr{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:nowrap}",
      ".none{display:block;min-width:9em;max-width:16em;white-space:normal;color:#888;"
          + "font:12px/1.3 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif}",
      ".swatch{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:6px}",
      "figure{margin:1.4em 0}",
      "figure img{display:block;width:100%;max-width:1200px;height:auto;border:1px solid #ddd}",
      "figcaption{color:#555;font-size:14px;margin-top:.3em}",
      "dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:3px 18px;margin:0}",
      "dl.kv dt{color:#555}",
      "dl.kv dd{margin:0;overflow-wrap:anywhere}",
      "code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;background:#f3f3f3;"
          + "padding:1px 4px;border-radius:3px;overflow-wrap:anywhere}");

  private HtmlReport() {}

  /**
   * The page; it refers to {@link Charts#FILE_NAMES}, {@code result.json} and {@code curves.csv}
   * beside it by relative name.
   */
  public static String render(ReportInput input) {
    RangeTestResult result = input.result();
    StringBuilder out = new StringBuilder(16_384);
    String title = "Learning-rate range test: " + input.modelName();
    out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>").append(html(title)).append("</title>\n")
        .append("<style>\n").append(STYLE).append("\n</style>\n</head>\n<body>\n<main>\n");
    out.append("<h1>").append(html(title)).append("</h1>\n");
    out.append("<p class=\"meta\">").append(result.curves().size())
        .append(result.curves().size() == 1 ? " optimizer" : " optimizers").append(", ")
        .append(html(createdAt(input))).append(", data ")
        .append(html(fileName(input.dataFile()))).append("</p>\n");

    List<String> notices = input.notices();
    if (!notices.isEmpty()) {
      out.append("<h2>Read this first</h2>\n<ul class=\"notice\">\n");
      notices.forEach(n -> out.append("<li>").append(html(n)).append("</li>\n"));
      out.append("</ul>\n");
    }
    out.append("<h2>How to read this report</h2>\n").append(howToRead(input));
    out.append("<h2>Summary</h2>\n");
    summaryTable(input, out);
    out.append("<h2>Charts</h2>\n");
    charts(input, out);
    out.append("<h2>Suggestions in detail</h2>\n");
    suggestionDetails(input, out);
    out.append("<h2>Model</h2>\n");
    model(input, out);
    out.append("<h2>Run settings</h2>\n");
    settings(input, out);
    out.append("<h2>Environment</h2>\n");
    environment(input, out);
    out.append("<p class=\"meta\">Machine-readable: <a href=\"").append(ResultJson.FILE_NAME)
        .append("\">").append(ResultJson.FILE_NAME).append("</a> (everything on this page and"
            + " every curve) and <a href=\"").append(CurvesCsv.FILE_NAME).append("\">")
        .append(CurvesCsv.FILE_NAME).append("</a> (one line per step).</p>\n");
    out.append("</main>\n</body>\n</html>\n");
    return out.toString();
  }

  private static String howToRead(ReportInput input) {
    RangeTestConfig config = input.result().config();
    String loss = config.validationBatches() > 0
        ? "validation loss (the mean over " + config.validationBatches()
            + " held-out batches, measured after every step)"
        : "training loss";
    return "<p>Each optimizer trained from the same starting weights on the same batches while"
        + " the learning rate rose " + html(config.schedule().name().toLowerCase(Locale.ROOT))
        + "ly from " + html(Format.value(config.startLr())) + " to "
        + html(Format.value(config.endLr())) + "; the first chart shows the smoothed " + html(loss)
        + " against that rate. Read it from left to right: the loss stays flat while the rate is"
        + " too small to matter, falls once the rate helps, and turns up when the rate is too"
        + " large. A good rate lies on the falling part, before the lowest point: the"
        + " <b>steep</b> marker (where the loss falls fastest) and the <b>valley</b> marker"
        + " (fast.ai's default, halfway down the longest descent) are usually safe starting points;"
        + " <b>minimum</b> is one tenth of the rate at the lowest loss. The first "
        + input.skipBegin() + " and last " + input.skipEnd() + " points are left out of the"
        + " smoothed lines and the suggestions (the smoother's warm-up and the final blow-up); the"
        + " faint lines are the raw losses per step. Compare optimizers by where and how deeply"
        + " their curves fall, and treat every suggestion as a starting point to confirm with a"
        + " real training run.</p>\n";
  }

  private static void summaryTable(ReportInput input, StringBuilder out) {
    out.append("<div class=\"scroll\"><table>\n<thead><tr><th>optimizer</th>");
    SummaryRow.RULE_COLUMNS.forEach(rule -> out.append("<th>").append(html(rule)).append("</th>"));
    out.append("<th>cyclical (base&ndash;max)</th><th>min loss</th><th>at lr</th><th>steps</th>"
        + "<th>stop</th><th>seconds</th></tr></thead>\n<tbody>\n");
    List<SummaryRow> rows = SummaryRow.of(input);
    for (int i = 0; i < rows.size(); i++) {
      SummaryRow row = rows.get(i);
      out.append("<tr><td>").append(swatch(i)).append(html(row.optimizer())).append("</td>");
      if (input.neverFell(input.result().curves().get(i))) {
        // The whole sentence is under "Read this first"; every rule gave none for it.
        out.append("<td class=\"lr\" colspan=\"").append(SummaryRow.RULE_COLUMNS.size() + 1)
            .append("\"><span class=\"none\" style=\"max-width:none\">none: the loss never fell"
                + " below its starting value (see above)</span></td>");
      } else {
        for (String rule : SummaryRow.RULE_COLUMNS) {
          out.append(suggestionCell(row.suggestion(rule)));
        }
        out.append(cyclicalCell(row));
      }
      out.append("<td class=\"num\">").append(html(Format.number(row.minLoss()))).append("</td>")
          .append("<td class=\"lr\">").append(html(Format.lr(row.minLossLr()))).append("</td>")
          .append("<td class=\"num\">").append(html(row.steps())).append("</td>")
          .append("<td title=\"").append(html(row.stopReason().description())).append("\">")
          .append(html(Format.stopShort(row.stopReason()))).append("</td>")
          .append("<td class=\"num\">").append(html(Format.seconds(row.seconds())))
          .append("</td></tr>\n");
    }
    out.append("</tbody></table></div>\n");
    out.append("<p class=\"meta\">Learning rates to 2 significant digits (full precision in "
        + ResultJson.FILE_NAME + "); min loss is the lowest smoothed loss inside the skip window."
        + " Hover over a rate for how it was found.</p>\n");
  }

  private static String suggestionCell(Optional<Suggestion> suggestion) {
    if (suggestion.isEmpty()) {
      return "<td class=\"lr\">" + Format.NONE + "</td>";
    }
    Suggestion s = suggestion.get();
    if (!s.found()) {
      return "<td class=\"lr\"><span class=\"none\">none: " + html(s.note()) + "</span></td>";
    }
    return "<td class=\"lr\" title=\"" + html(s.note()) + "\">" + html(Format.lr(s.learningRate()))
        + "</td>";
  }

  private static String cyclicalCell(SummaryRow row) {
    Optional<Suggestion> base = row.suggestion(CyclicalBounds.BASE);
    Optional<Suggestion> max = row.suggestion(CyclicalBounds.MAX);
    Optional<Suggestion> missing = base.filter(s -> !s.found())
        .or(() -> max.filter(s -> !s.found()));
    if (missing.isPresent()) {
      return suggestionCell(missing);
    }
    if (base.isEmpty() || max.isEmpty()) {
      return "<td class=\"lr\">" + Format.NONE + "</td>";
    }
    return "<td class=\"lr\" title=\"" + html("base: " + base.get().note() + "; max: "
        + max.get().note()) + "\">" + html(row.cyclical(" \u2013 ")) + "</td>";
  }

  private static void charts(ReportInput input, StringBuilder out) {
    String loss = input.result().config().validationBatches() > 0 ? "validation" : "training";
    List<String> captions = List.of(
        "Smoothed " + loss + " loss against the learning rate (log scale), one colour per"
            + " optimizer, raw losses faint underneath. Markers show the steep, valley and minimum"
            + " suggestions on each curve; the y axis stops a little above the starting loss, so a"
            + " blow-up at the end is cut off rather than squashing the rest, and turns"
            + " logarithmic when the curves span more than a decade.",
        "Change of the smoothed loss per step, averaged over " + LossDeltaChart.SMA
            + " steps, against the learning rate. Below zero the loss is falling; the circle marks"
            + " the loss_delta suggestion, where it falls fastest.",
        "The learning rate at each step: the planned schedule dashed, each optimizer's run on"
            + " top, and a marker at the last step it ran, with the reason it stopped.");
    for (int i = 0; i < Charts.FILE_NAMES.size(); i++) {
      String file = Charts.FILE_NAMES.get(i);
      out.append("<figure><img src=\"").append(html(file)).append("\" width=\"")
          .append(ChartStyle.WIDTH).append("\" height=\"").append(ChartStyle.HEIGHT)
          .append("\" alt=\"").append(html(captions.get(i))).append("\"><figcaption>")
          .append(html(captions.get(i))).append("</figcaption></figure>\n");
    }
  }

  private static void suggestionDetails(ReportInput input, StringBuilder out) {
    List<OptimizerCurve> curves = input.result().curves();
    for (int i = 0; i < curves.size(); i++) {
      OptimizerCurve curve = curves.get(i);
      out.append("<h3>").append(swatch(i)).append(html(curve.optimizer())).append("</h3>\n");
      List<Suggestion> suggestions = input.suggestionsFor(curve.optimizer());
      if (suggestions.isEmpty()) {
        out.append("<p class=\"meta\">No suggestion rules ran for this optimizer.</p>\n");
        continue;
      }
      out.append("<table>\n<thead><tr><th>rule</th><th>learning rate</th><th>how it was found,"
          + " or why there is none</th></tr></thead>\n<tbody>\n");
      for (Suggestion s : suggestions) {
        out.append("<tr><td>").append(html(s.rule())).append("</td><td class=\"lr\">")
            .append(s.found() ? html(Format.lr(s.learningRate())) : "none").append("</td><td>")
            .append(html(s.note())).append("</td></tr>\n");
      }
      out.append("</tbody></table>\n");
    }
  }

  private static void model(ReportInput input, StringBuilder out) {
    ModelContract contract = input.contract();
    out.append("<dl class=\"kv\">\n");
    item(out, "name", contract.modelName());
    item(out, "directory", input.modelDir() == null ? Format.NONE : input.modelDir().toString());
    if (contract.source() != null) {
      item(out, "source", contract.source());
    }
    if (contract.inputs().size() == 1 && !contract.hasSeveralOutputs()) {
      item(out, "input", String.valueOf(contract.input()));
      item(out, "label", String.valueOf(contract.label()));
      item(out, "loss", contract.loss());
    } else {
      for (dev.lrfinder.model.TensorSpec spec : contract.inputs()) {
        item(out, "input " + spec.key(), String.valueOf(spec));
      }
      for (dev.lrfinder.model.OutputSpec output : contract.outputs()) {
        item(out, "output " + output.key(), output.describe());
      }
      item(out, "loss", contract.hasSeveralOutputs() ? contract.loss() + "; the range test"
          + " follows the total loss (sum of the weighted output losses)" : contract.loss());
    }
    for (String note : contract.notes()) {
      item(out, "note", note);
    }
    item(out, "metrics",
        contract.metrics().isEmpty() ? "none" : String.join(", ", contract.metrics()));
    item(out, "parameters", String.format(Locale.ROOT, "%,d (%,d trainable)",
        contract.parameterCount(), contract.trainableParameterCount()));
    item(out, "training path", input.trainingPath());
    item(out, contract.contractVersion() > 0 ? "exported with" : "saved with", "TensorFlow "
        + contract.tensorflowVersion() + ", Keras " + contract.kerasVersion()
        + (contract.contractVersion() > 0 ? ", contract version " + contract.contractVersion()
            : ""));
    out.append("</dl>\n");
    out.append("<h3>Optimizers</h3>\n<div class=\"scroll\"><table>\n<thead><tr><th>key</th>"
        + "<th>class</th><th>initial learning rate</th><th>config (values that are set)</th></tr>"
        + "</thead>\n<tbody>\n");
    for (OptimizerInfo info : contract.optimizers()) {
      String config = info.config().entrySet().stream().filter(e -> e.getValue() != null)
          .map(e -> e.getKey() + "=" + configValue(e.getValue()))
          .collect(Collectors.joining(", "));
      out.append("<tr><td>").append(html(info.key())).append("</td><td>")
          .append(html(info.className())).append("</td><td class=\"lr\">")
          .append(html(Format.value(info.initialLearningRate()))).append("</td><td>")
          .append(html(config)).append("</td></tr>\n");
    }
    out.append("</tbody></table></div>\n");
  }

  private static String configValue(Object value) {
    if (value instanceof Double || value instanceof Float) {
      return Format.value(((Number) value).doubleValue());
    }
    return String.valueOf(value);
  }

  private static void settings(ReportInput input, StringBuilder out) {
    RangeTestResult result = input.result();
    RangeTestConfig config = result.config();
    out.append("<dl class=\"kv\">\n");
    item(out, "learning rates", Format.value(config.startLr()) + " to "
        + Format.value(config.endLr()) + ", "
        + config.schedule().name().toLowerCase(Locale.ROOT) + " schedule");
    item(out, "budget", config.budget() + ": " + result.plannedSteps() + " planned steps, "
        + result.stepsPerEpoch() + " steps per epoch");
    item(out, "smoothing beta", Format.value(config.beta()));
    item(out, "stop factor", config.stopFactorEnabled()
        ? Format.value(config.stopFactor()) + " (stop when the smoothed loss exceeds "
            + Format.value(config.stopFactor()) + " \u00d7 the best so far)"
        : "off");
    item(out, "skipped points", "first " + input.skipBegin() + ", last " + input.skipEnd()
        + " (left out of the smoothed lines and the suggestions)");
    item(out, "batch size", Integer.toString(config.batchSize()));
    item(out, "shuffle", config.shuffle() ? "yes, seed " + config.seed()
        : "no (batches in file order), seed " + config.seed());
    item(out, "validation batches", config.validationBatches() == 0
        ? "0 (the curves follow the training loss)"
        : config.validationBatches() + " (the curves follow the mean validation loss)");
    item(out, "optimizers tested", config.optimizers().isEmpty() ? "all of the model's"
        : String.join(", ", config.optimizers()));
    item(out, "data", input.dataFile() == null ? Format.NONE : input.dataFile().toString());
    item(out, "training rows", Long.toString(result.trainRows()));
    out.append("</dl>\n");
  }

  private static void environment(ReportInput input, StringBuilder out) {
    out.append("<dl class=\"kv\">\n");
    item(out, "TensorFlow", orUnknown(input.tensorflowVersion()));
    item(out, "Java", orUnknown(input.javaVersion()));
    item(out, "created", createdAt(input));
    out.append("<dt>command</dt><dd>");
    if (input.command() == null || input.command().isBlank()) {
      out.append(Format.NONE);
    } else {
      out.append("<code>").append(html(input.command())).append("</code>");
    }
    out.append("</dd>\n</dl>\n");
  }

  private static void item(StringBuilder out, String name, String value) {
    out.append("<dt>").append(html(name)).append("</dt><dd>").append(html(value)).append("</dd>\n");
  }

  private static String swatch(int index) {
    return "<span class=\"swatch\" style=\"background:" + ChartStyle.cssColor(index)
        + "\"></span>";
  }

  private static String createdAt(ReportInput input) {
    return input.createdAt() == null ? "unknown date"
        : input.createdAt().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static String fileName(Path path) {
    return path == null || path.getFileName() == null ? Format.NONE : path.getFileName().toString();
  }

  private static String orUnknown(String text) {
    return text == null || text.isBlank() ? "unknown" : text;
  }
}
