package dev.lrfinder.bench;

import dev.lrfinder.data.DataFile;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.data.MemoryBudget;
import dev.lrfinder.direct.DirectOptions;
import dev.lrfinder.loader.ModelLoader;
import dev.lrfinder.model.ModelSnapshot;
import dev.lrfinder.runtime.SavedModelDirectory;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTest;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.rangetest.RangeTestResult;
import dev.lrfinder.report.CurvesCsv;
import dev.lrfinder.report.HtmlReport;
import dev.lrfinder.report.ReportInput;
import dev.lrfinder.report.ReportWriter;
import dev.lrfinder.report.ResultJson;
import dev.lrfinder.safety.ModelSafety;
import dev.lrfinder.suggest.Suggestion;
import dev.lrfinder.suggest.RangeTestAnalysis;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.TensorFlow;

/**
 * Where the time of {@code lrfinder find}'s default run goes, phase by phase, in one JVM started
 * like the launcher's: what {@code find} does, through the public API, each phase timed on its
 * own. To separate them, the native library is loaded first, the SavedModel's graph is parsed and
 * scanned once on its own before the loader does it again (subtracted), and each optimizer's
 * first step is taken once before the range test (on a snapshot, restored), so the range test's
 * steps are warm; the report is written twice, cold then warm. Prints one JSON line of
 * milliseconds per phase ({@code tools/bench/bench_report.py} tabulates it).
 *
 * <p>Usage: {@code FindPhases <model-dir> <data.npz> <out-parent-dir> [batch-size]}
 */
public final class FindPhases {
  private final Map<String, Double> phases = new LinkedHashMap<>();
  private long last = System.nanoTime();

  private FindPhases() {}

  private void mark(String phase) {
    long now = System.nanoTime();
    phases.merge(phase, (now - last) / 1e6, Double::sum);
    last = now;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: FindPhases <model-dir> <data.npz> <out-parent-dir> [batch-size]");
      System.exit(2);
    }
    new FindPhases().run(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]),
        args.length > 3 ? Integer.parseInt(args[3]) : 64);
  }

  private void run(Path dir, Path dataFile, Path outParent, int batchSize) throws Exception {
    long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
    phases.put("JVM start -> main", (double) (System.currentTimeMillis() - jvmStart));
    last = System.nanoTime();

    TensorFlow.version();
    mark("TF native load");
    var graph = SavedModelDirectory.savedModel(dir);
    mark("parse saved_model.pb");
    ModelSafety.scan(graph);
    mark("safety scan");
    double parseAndScan = phases.get("parse saved_model.pb") + phases.get("safety scan");
    try (TrainableModel model = ModelLoader.load(dir, DirectOptions.defaults())) {
      mark("SavedModel load");
      // the loader parsed and scanned again: that time is counted above
      phases.merge("SavedModel load", -parseAndScan, Double::sum);
      DataFile.Splits splits = DataFile.load(dataFile, model.layout(), "label", MemoryBudget.heap());
      Dataset train = model.conform(splits.train());
      Dataset test = splits.test().map(model::conform).orElse(null);
      mark("data read + conform");

      RangeTestConfig config = RangeTestConfig.builder().batchSize(batchSize).build();
      ModelSnapshot start = model.snapshot();
      mark("snapshot");
      var firstBatch = config.batches(train).get(0);
      for (String optimizer : model.optimizers()) {
        model.trainStep(optimizer, config.startLr(), firstBatch);
        mark("first step " + optimizer);
        model.restore(start);
        mark("restore");
      }
      RangeTestResult result = new RangeTest(config).run(model, train, test);
      mark("range test (warm)");
      for (OptimizerCurve curve : result.curves()) {
        phases.put("  of which " + curve.optimizer() + " steps (" + curve.stepsRun() + ")",
            curve.seconds() * 1000);
        phases.put("  of which " + curve.optimizer() + " in model", curve.secondsInModel() * 1000);
      }
      RangeTestAnalysis analysis = RangeTestAnalysis.of(result);
      mark("suggestions");
      ReportInput input = new ReportInput(dir, dataFile, model.contract(),
          model.trainingPath().toString(), result, analysis, TensorFlow.version(),
          System.getProperty("java.version"),
          Instant.now(), "FindPhases");
      last = System.nanoTime();
      Path cold = Files.createTempDirectory(outParent, "phases-cold");
      new ReportWriter().write(input, outParent, cold);
      mark("report write (cold)");
      Path warm = Files.createTempDirectory(outParent, "phases-warm");
      new ReportWriter().write(input, outParent, warm);
      mark("report write (warm)");
      HtmlReport.render(input);
      ResultJson.toJson(input);
      CurvesCsv.render(input);
      mark("  of which html+json+csv (warm)");
    }
    mark("close");
    StringBuilder json = new StringBuilder("{");
    phases.forEach((k, v) -> json.append(json.length() > 1 ? ", " : "")
        .append('"').append(k).append("\": ").append(String.format(Locale.ROOT, "%.1f", v)));
    System.out.println(json.append('}'));
  }
}
