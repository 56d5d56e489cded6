package dev.lrfinder.report;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import dev.lrfinder.model.ModelContract;
import dev.lrfinder.model.OptimizerInfo;
import dev.lrfinder.model.OutputSpec;
import dev.lrfinder.model.TensorSpec;
import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.rangetest.RangeTestResult;
import dev.lrfinder.suggest.CyclicalBounds;
import dev.lrfinder.suggest.Suggestion;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.knowm.xchart.XYChart;

/**
 * The report's {@code index.html}: one self-contained page (inline CSS and inline SVG charts, no
 * scripts, nothing else fetched) with the summary table, the charts, the suggestions with how
 * each was found, the model's contract, the run's settings and environment. The page is the
 * Mustache template {@code index.html.mustache} beside this class, which escapes every value
 * unless told otherwise ({@code {{{svg}}}}, the charts this class encodes).
 */
public final class HtmlReport {
  public static final String FILE_NAME = "index.html";
  static final String TEMPLATES = "dev/lrfinder/report";
  static final String TEMPLATE = "index.html.mustache";

  private HtmlReport() {}

  /** The page, its charts drawn from {@code input}. */
  public static String render(ReportInput input) {
    Map<String, XYChart> charts = new LinkedHashMap<>();
    Charts.drawers().forEach((name, draw) -> charts.put(name, draw.apply(input)));
    return render(input, charts);
  }

  /**
   * The page with {@code charts} (by file name, in {@link Charts#FILE_NAMES} order) inline; it
   * names the chart PNGs, {@code result.json} and {@code curves.csv} beside it, and links the
   * last two.
   */
  static String render(ReportInput input, Map<String, XYChart> charts) {
    return render(input, charts, List.of());
  }

  /** As {@link #render(ReportInput, Map)}, with a section linking the runs in {@code trained}. */
  static String render(ReportInput input, Map<String, XYChart> charts,
      List<StagedReport.TrainedRun> trained) {
    // A factory per page: it caches what it compiles, and the page is written once per run.
    Mustache template = new DefaultMustacheFactory(TEMPLATES).compile(TEMPLATE);
    StringWriter out = new StringWriter(1 << 19);
    Map<String, Object> page = page(input, charts);
    page.put("trained", trained.isEmpty() ? null : trained.stream().map(HtmlReport::trained)
        .toList());
    template.execute(out, page);
    return out.toString();
  }

  /** One run of {@code find --then-train}, for the page: its link, chart and final values. */
  record Trained(String optimizer, String href, String chart, String schedule,
      List<Item> values) {}

  private static Trained trained(StagedReport.TrainedRun run) {
    dev.lrfinder.lab.TrainingResult result = run.result();
    List<Item> values = new ArrayList<>();
    values.add(new Item("stopped", TrainingHtml.stop(result)));
    result.lastComplete().ifPresent(e -> {
      values.add(new Item("epochs", String.valueOf(e.epoch() + 1)));
      e.logs().forEach((key, value) -> values.add(new Item("final " + key,
          Format.number(value))));
    });
    return new Trained(result.config().optimizer(), run.folder() + "/" + FILE_NAME,
        run.folder() + "/" + TrainingCharts.LOSS_FILE, result.schedule(), values);
  }

  private static Map<String, Object> page(ReportInput input, Map<String, XYChart> charts) {
    RangeTestResult result = input.result();
    Map<String, Object> page = new LinkedHashMap<>();
    page.put("title", "Learning-rate range test: " + input.modelName());
    int count = result.curves().size();
    page.put("optimizerCount", count + (count == 1 ? " optimizer" : " optimizers"));
    page.put("createdAt", createdAt(input));
    page.put("dataName", fileName(input.dataFile()));
    page.put("notices", input.notices());
    page.put("hasNotices", !input.notices().isEmpty());
    page.put("howToRead", howToRead(input));
    page.put("ruleColumns", SummaryRow.RULE_COLUMNS);
    page.put("rows", rows(input));
    page.put("verification", VerificationSection.page(input));
    page.put("repeats", RepeatsSection.page(input));
    page.put("charts", charts(input, charts));
    page.put("details", details(input));
    page.put("model", model(input));
    page.put("optimizers", optimizers(input.contract()));
    page.put("settings", settings(input));
    page.put("environment", List.of(new Item("TensorFlow", orUnknown(input.tensorflowVersion())),
        new Item("Java", orUnknown(input.javaVersion())), new Item("created", createdAt(input))));
    page.put("command", input.command() == null || input.command().isBlank() ? null
        : input.command());
    page.put("resultJson", ResultJson.FILE_NAME);
    page.put("curvesCsv", CurvesCsv.FILE_NAME);
    return page;
  }

  /** A name and its value in a {@code <dl>}. */
  record Item(String name, String value) {}

  /** The values the "how to read" paragraph fills in. */
  record HowToRead(String schedule, String startLr, String endLr, String loss, int skipBegin,
      int skipEnd) {}

  /** One cell of a suggestion: its rate, or why there is none; {@code title} on hover. */
  record Cell(String text, String title, String noneNote) {}

  /** One optimizer's line of the summary table. */
  record Row(String color, String optimizer, boolean neverFell, int neverFellColumns,
      List<Cell> cells, String minLoss, String minLossLr, String steps, String stopTitle,
      String stop, String seconds) {}

  /** One chart: its SVG element, caption and the PNG beside the page. */
  record Chart(String id, String svg, String caption, String file) {}

  /** One suggestion in the detail tables. */
  record Detail(String rule, String lr, String note) {}

  /** One optimizer's detail table. */
  record Details(String color, String optimizer, List<Detail> suggestions,
      boolean hasSuggestions) {}

  /** One line of the model's optimizer table. */
  record OptimizerRow(String key, String className, String learningRate, String config) {}

  private static HowToRead howToRead(ReportInput input) {
    RangeTestConfig config = input.result().config();
    String loss = config.validationBatches() > 0
        ? "validation loss (the mean over " + config.validationBatches()
            + " held-out batches, measured after every step)"
        : "training loss";
    return new HowToRead(config.schedule().name().toLowerCase(Locale.ROOT),
        Format.value(config.startLr()), Format.value(config.endLr()), loss, input.skipBegin(),
        input.skipEnd());
  }

  private static List<Row> rows(ReportInput input) {
    List<SummaryRow> summary = SummaryRow.of(input);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < summary.size(); i++) {
      SummaryRow row = summary.get(i);
      List<Cell> cells = new ArrayList<>();
      SummaryRow.RULE_COLUMNS.forEach(rule -> cells.add(cell(row.suggestion(rule))));
      cells.add(cyclicalCell(row));
      rows.add(new Row(ChartStyle.cssColor(i), row.optimizer(),
          input.neverFell(input.result().curves().get(i)), SummaryRow.RULE_COLUMNS.size() + 1,
          cells, Format.number(row.minLoss()), Format.lr(row.minLossLr()), row.steps(),
          row.stopReason().description(), Format.stopShort(row.stopReason()),
          Format.seconds(row.seconds())));
    }
    return rows;
  }

  private static Cell cell(Optional<Suggestion> suggestion) {
    if (suggestion.isEmpty()) {
      return new Cell(Format.NONE, null, null);
    }
    Suggestion s = suggestion.get();
    if (!s.found()) {
      return new Cell(null, null, s.note());
    }
    return new Cell(Format.lr(s.learningRate()), s.note(), null);
  }

  private static Cell cyclicalCell(SummaryRow row) {
    Optional<Suggestion> base = row.suggestion(CyclicalBounds.BASE);
    Optional<Suggestion> max = row.suggestion(CyclicalBounds.MAX);
    Optional<Suggestion> missing = base.filter(s -> !s.found())
        .or(() -> max.filter(s -> !s.found()));
    if (missing.isPresent()) {
      return cell(missing);
    }
    if (base.isEmpty() || max.isEmpty()) {
      return new Cell(Format.NONE, null, null);
    }
    return new Cell(row.cyclical(" \u2013 "), "base: " + base.get().note() + "; max: "
        + max.get().note(), null);
  }

  private static List<Chart> charts(ReportInput input, Map<String, XYChart> drawn) {
    String loss = input.result().config().validationBatches() > 0 ? "validation" : "training";
    List<String> captions = List.of(
        "Smoothed " + loss + " loss against the learning rate (log scale), one colour per"
            + " optimizer, raw losses faint underneath. Markers show the steep, valley and minimum"
            + " suggestions on each curve; the y axis stops a little above the starting loss, so a"
            + " blow-up at the end is cut off rather than squashing the rest, and turns"
            + " logarithmic when the curves span more than a decade."
            + (input.repeats() == null ? "" : " Dashed: the mean smoothed loss over the "
                + input.repeats().repeats() + " batch orders, in a shaded band from the lowest to"
                + " the highest of them at each step (min-max), over the steps all of them"
                + " reached; the solid line and its markers are seed "
                + input.result().config().seed() + "'s run."),
        "Change of the smoothed loss per step, averaged over " + LossDeltaChart.SMA
            + " steps, against the learning rate. Below zero the loss is falling; the circle marks"
            + " the loss_delta suggestion, where it falls fastest.",
        "The learning rate at each step: the planned schedule dashed, each optimizer's run on"
            + " top, and a marker at the last step it ran, with the reason it stopped.");
    List<String> svgs = ChartSvg.inline(
        Charts.FILE_NAMES.stream().map(drawn::get).toList(), captions);
    List<Chart> charts = new ArrayList<>();
    for (int i = 0; i < Charts.FILE_NAMES.size(); i++) {
      charts.add(new Chart("chart-" + (i + 1), svgs.get(i), captions.get(i),
          Charts.FILE_NAMES.get(i)));
    }
    return charts;
  }

  private static List<Details> details(ReportInput input) {
    List<OptimizerCurve> curves = input.result().curves();
    List<Details> details = new ArrayList<>();
    for (int i = 0; i < curves.size(); i++) {
      String optimizer = curves.get(i).optimizer();
      List<Detail> suggestions = input.suggestionsFor(optimizer).stream()
          .map(s -> new Detail(s.rule(), s.found() ? Format.lr(s.learningRate()) : "none",
              s.note()))
          .toList();
      details.add(new Details(ChartStyle.cssColor(i), optimizer, suggestions,
          !suggestions.isEmpty()));
    }
    return details;
  }

  private static List<Item> model(ReportInput input) {
    ModelContract contract = input.contract();
    List<Item> items = new ArrayList<>();
    items.add(new Item("name", contract.modelName()));
    items.add(new Item("directory",
        input.modelDir() == null ? Format.NONE : input.modelDir().toString()));
    if (contract.source() != null) {
      items.add(new Item("source", contract.source()));
    }
    if (contract.inputs().size() == 1 && !contract.hasSeveralOutputs()) {
      items.add(new Item("input", String.valueOf(contract.input())));
      items.add(new Item("label", String.valueOf(contract.label())));
      items.add(new Item("loss", contract.loss()));
    } else {
      for (TensorSpec spec : contract.inputs()) {
        items.add(new Item("input " + spec.key(), String.valueOf(spec)));
      }
      for (OutputSpec output : contract.outputs()) {
        items.add(new Item("output " + output.key(), output.describe()));
      }
      items.add(new Item("loss", contract.hasSeveralOutputs() ? contract.loss() + "; the range"
          + " test follows the total loss (sum of the weighted output losses)"
          : contract.loss()));
    }
    for (String note : contract.notes()) {
      items.add(new Item("note", note));
    }
    items.add(new Item("metrics",
        contract.metrics().isEmpty() ? "none" : String.join(", ", contract.metrics())));
    items.add(new Item("parameters", String.format(Locale.ROOT, "%,d (%,d trainable)",
        contract.parameterCount(), contract.trainableParameterCount())));
    items.add(new Item("training path", input.trainingPath()));
    items.add(new Item(contract.contractVersion() > 0 ? "exported with" : "saved with",
        "TensorFlow " + contract.tensorflowVersion() + ", Keras " + contract.kerasVersion()
            + (contract.contractVersion() > 0
                ? ", contract version " + contract.contractVersion() : "")));
    return items;
  }

  private static List<OptimizerRow> optimizers(ModelContract contract) {
    List<OptimizerRow> rows = new ArrayList<>();
    for (OptimizerInfo info : contract.optimizers()) {
      String config = info.config().entrySet().stream().filter(e -> e.getValue() != null)
          .map(e -> e.getKey() + "=" + configValue(e.getValue()))
          .collect(Collectors.joining(", "));
      rows.add(new OptimizerRow(info.key(), info.className(),
          Format.value(info.initialLearningRate()), config));
    }
    return rows;
  }

  private static String configValue(Object value) {
    if (value instanceof Double || value instanceof Float) {
      return Format.value(((Number) value).doubleValue());
    }
    return String.valueOf(value);
  }

  private static List<Item> settings(ReportInput input) {
    RangeTestResult result = input.result();
    RangeTestConfig config = result.config();
    List<Item> items = new ArrayList<>();
    items.add(new Item("learning rates", Format.value(config.startLr()) + " to "
        + Format.value(config.endLr()) + ", "
        + config.schedule().name().toLowerCase(Locale.ROOT) + " schedule"));
    items.add(new Item("budget", config.budget() + ": " + result.plannedSteps()
        + " planned steps, " + result.stepsPerEpoch() + " steps per epoch"));
    items.add(new Item("smoothing beta", Format.value(config.beta())));
    items.add(new Item("stop factor", config.stopFactorEnabled()
        ? Format.value(config.stopFactor()) + " (stop when the smoothed loss exceeds "
            + Format.value(config.stopFactor()) + " \u00d7 the best so far)"
        : "off"));
    items.add(new Item("skipped points", "first " + input.skipBegin() + ", last "
        + input.skipEnd() + " (left out of the smoothed lines and the suggestions)"));
    items.add(new Item("batch size", Integer.toString(config.batchSize())));
    items.add(new Item("shuffle", config.shuffle() ? "yes, seed " + config.seed()
        : "no (batches in file order), seed " + config.seed()));
    items.add(new Item("validation batches", config.validationBatches() == 0
        ? "0 (the curves follow the training loss)"
        : config.validationBatches() + " (the curves follow the mean validation loss)"));
    items.add(new Item("optimizers tested", config.optimizers().isEmpty() ? "all of the model's"
        : String.join(", ", config.optimizers())));
    items.add(new Item("data",
        input.dataFile() == null ? Format.NONE : input.dataFile().toString()));
    items.add(new Item("training rows", Long.toString(result.trainRows())));
    if (input.verification() != null) {
      items.add(new Item("verification", input.verification().steps() + " steps at each"
          + " distinct suggested rate; held-out loss on " + input.verification().heldOut()));
    }
    if (input.repeats() != null) {
      items.add(new Item("repeats", input.repeats().repeats() + " batch orders, seeds "
          + input.repeats().seeds().stream().map(String::valueOf)
              .collect(Collectors.joining(", "))));
    }
    return items;
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
