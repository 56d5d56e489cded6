package dev.lrfinder.report;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import dev.lrfinder.lab.EpochRecord;
import dev.lrfinder.lab.TrainingConfig;
import dev.lrfinder.lab.TrainingResult;
import java.io.StringWriter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.knowm.xchart.XYChart;

/**
 * The training report's {@code index.html}: one self-contained page in the find report's look
 * (the Mustache template {@code training.html.mustache}, the same style sheet, inline SVG charts)
 * with the summary, the learning curves, a table of every epoch, the settings and environment.
 */
public final class TrainingHtml {
  /** The page's file name. */
  public static final String FILE_NAME = "index.html";
  private static final String TEMPLATES = "dev/lrfinder/report";
  private static final String TEMPLATE = "training.html.mustache";

  private TrainingHtml() {}

  /** The page with its charts drawn from {@code input}. */
  public static String render(TrainingReportInput input) {
    Map<String, XYChart> charts = new LinkedHashMap<>();
    TrainingCharts.drawers(input.result()).forEach((n, draw) -> charts.put(n, draw.apply(input)));
    return render(input, charts);
  }

  /** The page with {@code charts} (by file name, in the order shown) inline. */
  static String render(TrainingReportInput input, Map<String, XYChart> charts) {
    Mustache template = new DefaultMustacheFactory(TEMPLATES).compile(TEMPLATE);
    StringWriter out = new StringWriter(1 << 18);
    template.execute(out, page(input, charts));
    return out.toString();
  }

  /** A name and its value in a {@code <dl>}. */
  record Item(String name, String value) {}

  /** One chart: its SVG element, caption and the PNG beside the page. */
  record Chart(String id, String svg, String caption, String file) {}

  /** One line of the epoch table. */
  record Row(int epoch, String learningRate, List<String> values, String seconds,
      String decision) {}

  private static Map<String, Object> page(TrainingReportInput input, Map<String, XYChart> charts) {
    TrainingResult result = input.result();
    TrainingConfig config = result.config();
    Map<String, Object> page = new LinkedHashMap<>();
    page.put("title", "Training: " + input.modelName());
    long complete = result.epochs().stream().filter(EpochRecord::complete).count();
    page.put("summaryLine", config.optimizer() + ", " + complete + " of " + config.epochs()
        + " epochs");
    page.put("createdAt", input.createdAt().truncatedTo(ChronoUnit.SECONDS).toString());
    page.put("dataName", input.dataFile() == null ? "-"
        : String.valueOf(input.dataFile().getFileName()));
    List<String> notices = new ArrayList<>(input.notes());
    notices.addAll(result.notes());
    page.put("notices", notices);
    page.put("hasNotices", !notices.isEmpty());
    page.put("optimizer", config.optimizer());
    page.put("epochsRun", complete + (complete == 1 ? " epoch" : " epochs"));
    page.put("trainRows", result.trainRows());
    page.put("stepsPerEpoch", result.stepsPerEpoch());
    page.put("batchSize", config.batchSize());
    page.put("schedule", result.schedule());
    page.put("hasRules", !config.rules().isEmpty());
    page.put("validated", result.validated());
    page.put("validationSource", input.validationSource());
    page.put("validationRows", result.validationRows());
    page.put("summary", summary(result));
    page.put("boundsFrom", boundsFrom(input.boundsFrom()));
    page.put("charts", charts(input, charts));
    List<String> columns = TrainingCsv.logKeys(result);
    page.put("columns", columns);
    page.put("epochs", result.epochs().stream().map(e -> row(e, columns)).toList());
    page.put("settings", settings(input));
    page.put("environment", environment(input.tensorflowVersion(), input.javaVersion(),
        input.trainingPath()));
    page.put("command", input.command().isBlank() ? null : input.command());
    page.put("json", TrainingJson.FILE_NAME);
    page.put("epochsCsv", TrainingCsv.EPOCHS_FILE);
    page.put("stepsCsv", TrainingCsv.STEPS_FILE);
    return page;
  }

  /** The "Bounds from" section: where the schedule's min and max came from; null without. */
  private static Map<String, Object> boundsFrom(BoundsSource bounds) {
    if (bounds == null) {
      return null;
    }
    Map<String, Object> section = new LinkedHashMap<>();
    section.put("report", bounds.report());
    section.put("href", bounds.href().isEmpty() ? null : bounds.href());
    section.put("optimizer", bounds.optimizer());
    List<Item> items = new ArrayList<>();
    items.add(new Item("find report", bounds.report()));
    if (!bounds.model().isEmpty()) {
      items.add(new Item("range test of", bounds.model() + ", " + bounds.optimizer()
          + (bounds.rangeTest().isEmpty() ? "" : ", " + bounds.rangeTest())));
    }
    items.add(new Item("min (cyclical_base)", Format.lr(bounds.base())
        + (bounds.baseNote().isEmpty() ? "" : ": " + bounds.baseNote())));
    items.add(new Item("max (cyclical_max)", Format.lr(bounds.max())
        + (bounds.maxNote().isEmpty() ? "" : ": " + bounds.maxNote())));
    section.put("items", items);
    return section;
  }

  private static List<Item> summary(TrainingResult result) {
    List<Item> items = new ArrayList<>();
    items.add(new Item("stopped", stop(result)));
    Optional<EpochRecord> last = result.lastComplete();
    last.ifPresent(e -> e.logs().forEach((key, value) ->
        items.add(new Item("final " + key, Format.number(value)))));
    bestEpoch(result, "val_loss").or(() -> bestEpoch(result, "loss")).ifPresent(items::add);
    items.add(new Item("steps", result.steps() + " in " + Format.seconds(result.seconds()) + " s"));
    return items;
  }

  /** The epoch with the lowest value of {@code key}, as an item. */
  private static Optional<Item> bestEpoch(TrainingResult result, String key) {
    EpochRecord best = null;
    for (EpochRecord epoch : result.epochs()) {
      Double value = epoch.logs().get(key);
      if (epoch.complete() && value != null && Double.isFinite(value)
          && (best == null || value < best.logs().get(key))) {
        best = epoch;
      }
    }
    return best == null ? Optional.empty() : Optional.of(new Item("lowest " + key,
        Format.number(best.logs().get(key)) + " after epoch " + (best.epoch() + 1)));
  }

  static String stop(TrainingResult result) {
    String text = switch (result.stopReason()) {
      case EPOCHS_DONE -> "after the last epoch";
      case EARLY_STOPPING -> "early, by a rule";
      case CANCELLED -> "cancelled";
      case INTERRUPTED -> "interrupted";
      case DIVERGED -> "diverged (the loss is not a number)";
      case FAILED -> "failed on every attempt";
    };
    return result.stopDetail().isEmpty() ? text : text + ": " + result.stopDetail();
  }

  private static Row row(EpochRecord epoch, List<String> columns) {
    Map<String, Double> logs = epoch.logs();
    List<String> values = columns.stream()
        .map(k -> logs.containsKey(k) ? Format.number(logs.get(k)) : Format.NONE).toList();
    return new Row(epoch.epoch() + 1, Format.lr(epoch.learningRate()), values,
        Format.seconds(epoch.seconds()),
        epoch.complete() ? epoch.decision() : "incomplete: " + epoch.steps() + " steps");
  }

  private static List<Chart> charts(TrainingReportInput input, Map<String, XYChart> charts) {
    List<String> files = new ArrayList<>(charts.keySet());
    List<String> captions = files.stream().map(f -> caption(f, input.result())).toList();
    List<String> svgs = ChartSvg.inline(new ArrayList<>(charts.values()), captions);
    List<Chart> out = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      out.add(new Chart("chart-" + (i + 1), svgs.get(i), captions.get(i), files.get(i)));
    }
    return out;
  }

  private static String caption(String file, TrainingResult result) {
    return switch (file) {
      case TrainingCharts.LOSS_FILE -> "Loss per epoch: training (solid, the mean over the"
          + " epoch's batches)" + (result.validated() ? " and validation (dashed)." : ".");
      case TrainingCharts.METRICS_FILE -> "Metrics per epoch: training (solid)"
          + (result.validated() ? " and validation (dashed)." : ".");
      default -> "Learning rate of every step, as set before the step: " + result.schedule()
          + (result.config().rules().isEmpty() ? "." : ", then as the rules set it.");
    };
  }

  private static List<Item> settings(TrainingReportInput input) {
    TrainingResult result = input.result();
    TrainingConfig config = result.config();
    List<Item> items = new ArrayList<>();
    items.add(new Item("optimizer", config.optimizer()));
    items.add(new Item("schedule", result.schedule()));
    items.add(new Item("rules", config.rules().isEmpty() ? "none"
        : String.join("; ", config.rules().stream().map(r -> r.describe()).toList())));
    items.add(new Item("epochs", String.valueOf(config.epochs())));
    items.add(new Item("batch size", String.valueOf(config.batchSize())));
    items.add(new Item("batch order", config.shuffle()
        ? "shuffled every epoch, seed " + config.seed() : "file order"));
    items.add(new Item("validation", result.validated()
        ? input.validationSource() + " (" + result.validationRows() + " rows)" : "none"));
    items.add(new Item("model", input.modelDir() == null ? "-"
        : input.modelDir().toAbsolutePath().normalize().toString()));
    items.add(new Item("data", input.dataFile() == null ? "-"
        : input.dataFile().toAbsolutePath().normalize().toString()));
    return items;
  }

  /** The page's environment rows: TensorFlow's and Java's versions, the training path. */
  static List<Item> environment(String tensorflowVersion, String javaVersion,
      String trainingPath) {
    return List.of(new Item("TensorFlow", orDash(tensorflowVersion)),
        new Item("Java", orDash(javaVersion)), new Item("training path", orDash(trainingPath)));
  }

  private static String orDash(String text) {
    return text == null || text.isBlank() ? "-" : text.toLowerCase(Locale.ROOT).equals("null")
        ? "-" : text;
  }
}
