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
import java.util.Map;
import java.util.Optional;

/**
 * The sweep report's {@code index.html}: one self-contained page in the training report's look
 * (the Mustache template {@code sweep.html.mustache}, which escapes every value but the inline
 * SVG charts): the experiment's title, source and claim, the table of final and best values per
 * run, the small multiples, the overlays, the rates, the settings and environment.
 */
public final class SweepHtml {
  /** The page's file name. */
  public static final String FILE_NAME = "index.html";
  private static final String TEMPLATES = "dev/lrfinder/report";
  private static final String TEMPLATE = "sweep.html.mustache";

  private SweepHtml() {}

  /** A name and its value in a {@code <dl>}. */
  record Item(String name, String value) {}

  /** One chart on the page: its SVG, caption and the PNG beside the page. */
  record Figure(String id, String svg, String caption, String file) {}

  /** One grid of small multiples. */
  record GridView(String key, List<Figure> panels) {}

  /** One line of the runs table. */
  record Row(int run, String label, String optimizer, String schedule, String epochs,
      String stop, List<String> values, String seconds) {}

  /** The charts of {@code input}, as {@link SweepCharts} draws them, by file name in order. */
  static Map<String, SweepCharts.Drawn> charts(SweepReportInput input) {
    Map<String, SweepCharts.Drawn> charts = new LinkedHashMap<>();
    for (String key : SweepCharts.quantities(input)) {
      SweepCharts.grid(input, key).panels().forEach(d -> charts.put(d.file(), d));
    }
    for (String key : SweepCharts.quantities(input)) {
      SweepCharts.Drawn overlay = SweepCharts.overlay(input, key);
      charts.put(overlay.file(), overlay);
    }
    SweepCharts.Drawn rates = SweepCharts.rates(input);
    charts.put(rates.file(), rates);
    return charts;
  }

  /** The page with its charts drawn from {@code input}. */
  public static String render(SweepReportInput input) {
    return render(input, charts(input));
  }

  /** The page with {@code charts} (as {@link #charts} gives them) inline. */
  static String render(SweepReportInput input, Map<String, SweepCharts.Drawn> charts) {
    Mustache template = new DefaultMustacheFactory(TEMPLATES).compile(TEMPLATE);
    StringWriter out = new StringWriter(1 << 18);
    template.execute(out, page(input, charts));
    return out.toString();
  }

  private static Map<String, Object> page(SweepReportInput input,
      Map<String, SweepCharts.Drawn> charts) {
    Map<String, Object> page = new LinkedHashMap<>();
    List<TrainingResult> results = input.result().results();
    page.put("title", input.title());
    page.put("summaryLine", input.modelName() + ", " + results.size() + " of "
        + input.result().runs().size() + " runs " + (input.result().parameter().equals(
            dev.lrfinder.lab.SweepPlan.RUNS) ? "of whole configurations"
            : "varying " + input.result().parameter()));
    page.put("createdAt", input.createdAt().truncatedTo(ChronoUnit.SECONDS).toString());
    page.put("dataName", input.dataFile() == null ? "-"
        : String.valueOf(input.dataFile().getFileName()));
    SweepReportInput.About about = input.about();
    page.put("source", about == null || about.source().isBlank() ? null : about.source());
    page.put("claim", about == null || about.claim().isBlank() ? null : about.claim());
    page.put("experimentFile", about == null ? null
        : String.valueOf(about.file().getFileName()));
    List<String> notices = new ArrayList<>(input.notes());
    if (!input.result().complete()) {
      notices.add("the sweep did not finish: " + results.size() + " of "
          + input.result().runs().size() + " runs started");
    }
    for (int i = 0; i < results.size(); i++) {
      String label = input.result().runs().get(i).label();
      results.get(i).notes().forEach(n -> notices.add(label + ": " + n));
    }
    page.put("notices", notices);
    page.put("hasNotices", !notices.isEmpty());
    page.put("validated", SweepMetrics.validated(results));
    page.put("validationSource", input.validationSource());
    List<String> keys = SweepMetrics.keys(results);
    List<String> columns = new ArrayList<>();
    keys.forEach(k -> columns.add("final " + k));
    keys.forEach(k -> columns.add((SweepMetrics.maximized(k) ? "highest " : "lowest ") + k
        + " (epoch)"));
    page.put("columns", columns);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < results.size(); i++) {
      rows.add(row(i, input, keys));
    }
    page.put("rows", rows);

    List<String> files = new ArrayList<>(charts.keySet());
    List<String> captions = files.stream().map(f -> charts.get(f).caption()).toList();
    // One call for the whole page: the SVGs' ids are numbered across it.
    List<String> svgs = ChartSvg.inline(charts.values().stream().map(SweepCharts.Drawn::chart)
        .toList(), captions);
    Map<String, Figure> figures = new LinkedHashMap<>();
    for (int i = 0; i < files.size(); i++) {
      figures.put(files.get(i), new Figure("chart-" + (i + 1), svgs.get(i), captions.get(i),
          files.get(i)));
    }
    List<GridView> grids = new ArrayList<>();
    List<Figure> overlays = new ArrayList<>();
    for (String key : SweepCharts.quantities(input)) {
      String prefix = "panel_" + key.replaceAll("[^A-Za-z0-9_]", "_") + "_";
      grids.add(new GridView(key, figures.entrySet().stream()
          .filter(e -> e.getKey().startsWith(prefix)).map(Map.Entry::getValue).toList()));
    }
    figures.forEach((file, figure) -> {
      if (file.startsWith("overlay_")) {
        overlays.add(figure);
      }
    });
    page.put("grids", grids);
    page.put("overlays", overlays);
    page.put("rates", figures.get(SweepCharts.RATE_FILE));
    page.put("settings", settings(input));
    page.put("environment", TrainingHtml.environment(input.tensorflowVersion(),
        input.javaVersion(), input.trainingPath()));
    page.put("command", input.command().isBlank() ? null : input.command());
    page.put("json", SweepJson.FILE_NAME);
    page.put("runsCsv", SweepCsv.RUNS_FILE);
    page.put("epochsCsv", SweepCsv.EPOCHS_FILE);
    return page;
  }

  private static Row row(int index, SweepReportInput input, List<String> keys) {
    TrainingResult result = input.result().results().get(index);
    TrainingConfig config = result.config();
    List<String> values = new ArrayList<>();
    for (String key : keys) {
      values.add(SweepMetrics.last(result, key).filter(Double::isFinite).map(Format::number)
          .orElse(Format.NONE));
    }
    for (String key : keys) {
      Optional<SweepMetrics.Best> best = SweepMetrics.best(result, key);
      values.add(best.map(b -> Format.number(b.value()) + " (" + b.epoch() + ")")
          .orElse(Format.NONE));
    }
    long complete = result.epochs().stream().filter(EpochRecord::complete).count();
    return new Row(index + 1, input.result().runs().get(index).label(), config.optimizer(),
        result.schedule() + (config.rules().isEmpty() ? "" : "; " + String.join("; ",
            config.rules().stream().map(r -> r.describe()).toList())),
        complete + " of " + config.epochs(), stop(result), values,
        Format.seconds(result.seconds()));
  }

  /** Why a run stopped, in a word or two (the details are in sweep.json). */
  private static String stop(TrainingResult result) {
    return switch (result.stopReason()) {
      case EPOCHS_DONE -> "all epochs";
      case EARLY_STOPPING -> "early stopping";
      case CANCELLED -> "cancelled";
      case INTERRUPTED -> "interrupted";
      case DIVERGED -> "diverged";
      case FAILED -> "failed";
    };
  }

  private static List<Item> settings(SweepReportInput input) {
    List<Item> items = new ArrayList<>();
    items.add(new Item("varied", input.result().parameter()));
    List<TrainingResult> results = input.result().results();
    if (!results.isEmpty()) {
      TrainingConfig first = results.get(0).config();
      items.add(new Item("batch order", first.shuffle()
          ? "shuffled every epoch, seed " + first.seed() + " (the same in every run)"
          : "file order"));
      items.add(new Item("start", "every run from the same weights and optimizer state"));
    }
    items.add(new Item("validation", input.validationSource().isEmpty() ? "none"
        : input.validationSource()));
    items.add(new Item("model", input.modelDir() == null ? "-"
        : input.modelDir().toAbsolutePath().normalize().toString()));
    items.add(new Item("data", input.dataFile() == null ? "-"
        : input.dataFile().toAbsolutePath().normalize().toString()));
    if (input.about() != null) {
      items.add(new Item("experiment file",
          input.about().file().toAbsolutePath().normalize().toString()));
    }
    return items;
  }
}
