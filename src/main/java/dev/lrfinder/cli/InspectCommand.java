package dev.lrfinder.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lrfinder.loader.ModelLoader;
import dev.lrfinder.model.ModelContract;
import dev.lrfinder.model.OptimizerInfo;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.model.TrainingPath;
import dev.lrfinder.safety.Finding;
import dev.lrfinder.safety.ModelSafety;
import dev.lrfinder.safety.ModelTrust;
import dev.lrfinder.safety.ScanReport;
import dev.lrfinder.safety.UnsafeModelException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.tensorflow.TensorFlow;

/**
 * {@code lrfinder inspect <model-dir>}: which training path a model takes and why, whether its
 * ops are safe to run, and what it offers (inputs, loss, metrics, optimizers with their current
 * learning rates). An unsafe model is described without running anything of it, and refused
 * (exit 2) unless {@code --trust-model}.
 */
final class InspectCommand implements Command {
  /** Optimizer settings worth showing; the rest of Keras's config is defaults and bookkeeping. */
  private static final List<String> SHOWN_SETTINGS = List.of("momentum", "nesterov", "rho",
      "centered", "beta_1", "beta_2", "epsilon", "amsgrad", "initial_accumulator_value",
      "weight_decay", "clipnorm", "clipvalue");

  @Override
  public String name() {
    return "inspect";
  }

  @Override
  public String arguments() {
    return "[model-dir]";
  }

  @Override
  public String description() {
    return "show whether a model is safe to run, its inputs, loss, metrics and optimizers with their"
        + " current learning rates";
  }

  @Override
  public Options options() {
    return ModelOptions.addOptions(new Options())
        .addOption(Option.builder().longOpt("optimizers").hasArg().argName("A,B")
            .desc("optimizers a Keras 2 SavedModel would be trained with (default: its compiled"
                + " one, sgd and adam)").build())
        .addOption(Option.builder().longOpt("json").desc("print the contract as JSON").build());
  }

  /** What the range test follows for a model of several outputs, in the words of the report. */
  static final String TOTAL_LOSS =
      "the range test follows the total loss (sum of the weighted output losses)";

  @Override
  public int run(CommandLine line, Console console) throws Exception {
    Path dir = Args.modelDir(line, console);
    ModelLoader.Choice choice = ModelLoader.choose(dir);
    boolean json = line.hasOption("json");
    // Scanned before anything of the model runs; an unsafe one is described and refused unopened.
    ScanReport safety = ModelSafety.scan(dir);
    boolean trusted = ModelOptions.trust(line) == ModelTrust.TRUSTED;
    if (!safety.safe() && !trusted) {
      if (json) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("directory", dir.toString());
        out.put("path", choice.kind().label());
        out.put("path_reason", choice.reason());
        out.put("safety", safetyJson(safety, false));
        console.out().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .writeValueAsString(out));
      } else {
        console.out().printf("model        %s%n", dir);
        console.out().printf("path         %s, not loaded: the model is unsafe%n",
            choice.kind().label());
        console.out().printf("why          %s%n", choice.reason());
        printSafety(console.out(), safety, false);
      }
      throw new UnsafeModelException(dir, safety);
    }
    List<String> optimizers = Args.optimizerKeys(line, "optimizers");
    try (TrainableModel model = trusted ? ModelOptions.open(line, dir, optimizers, console)
        : ModelOptions.openScanned(line, dir, optimizers, console)) {
      Map<String, Double> rates = new LinkedHashMap<>();
      model.optimizers().forEach(k -> rates.put(k, model.learningRate(k)));
      if (json) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("directory", dir.toString());
        out.put("path", choice.kind().label());
        out.put("path_description", model.trainingPath().toString());
        out.put("path_reason", choice.reason());
        out.put("safety", safetyJson(safety, trusted));
        out.put("contract", contractJson(model.contract()));
        out.put("learning_rates", rates);
        out.put("variables", model.variableNames().size());
        out.put("runtime_tensorflow_version", TensorFlow.version());
        console.out().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .writeValueAsString(out));
      } else {
        print(console.out(), dir, model, choice, rates, safety, trusted);
      }
    }
    return Main.OK;
  }

  /**
   * The contract as JSON: v1's fields ({@code input} and {@code label} only for a model of one of
   * each; {@code loss} the total loss in words for several outputs), then every input and output
   * with its loss, weight and metrics, the exporter's notes and which library exported it.
   */
  private static Map<String, Object> contractJson(ModelContract c) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("contractVersion", c.contractVersion());
    out.put("modelName", c.modelName());
    out.put("source", c.source());
    out.put("parameterCount", c.parameterCount());
    out.put("trainableParameterCount", c.trainableParameterCount());
    if (c.inputs().size() == 1 && !c.hasSeveralOutputs()) {
      out.put("input", c.input());
      out.put("label", c.label());
    }
    out.put("loss", c.loss());
    out.put("metrics", c.metrics());
    out.put("optimizers", c.optimizers());
    out.put("tensorflowVersion", c.tensorflowVersion());
    out.put("kerasVersion", c.kerasVersion());
    out.put("kerasLibrary", c.kerasLibrary());
    out.put("inputs", c.inputs());
    out.put("outputs", c.outputs());
    out.put("notes", c.notes());
    return out;
  }

  /** The scan's verdict, counts and findings ({@code trusted}: run anyway by --trust-model). */
  private static Map<String, Object> safetyJson(ScanReport safety, boolean trusted) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("safe", safety.safe());
    out.put("trusted", trusted);
    out.put("graph_nodes", safety.graphNodes());
    out.put("functions", safety.functions());
    out.put("function_nodes", safety.functionNodes());
    out.put("op_types", safety.opTypes());
    List<Map<String, Object>> findings = new ArrayList<>();
    for (Finding f : safety.findings()) {
      Map<String, Object> finding = new LinkedHashMap<>();
      finding.put("op", f.opType());
      finding.put("node", f.node());
      finding.put("function", f.function());
      finding.put("concern", f.concern().name().toLowerCase(java.util.Locale.ROOT));
      finding.put("sentence", f.sentence());
      findings.add(finding);
    }
    out.put("findings", findings);
    return out;
  }

  private static void printSafety(PrintStream out, ScanReport safety, boolean trusted) {
    int nodes = safety.graphNodes() + safety.functionNodes();
    if (safety.safe()) {
      out.printf("safety       safe: %,d nodes of %d op types (graph and %d functions), all on"
          + " lrfinder's allow-list%n", nodes, safety.opTypes().size(), safety.functions());
      return;
    }
    out.printf("safety       UNSAFE: %d of %,d nodes refused (op types %s)%s%n",
        safety.findings().size(), nodes, String.join(", ", safety.refusedOpTypes()),
        trusted ? "; run anyway because of --trust-model" : "; nothing of it was run");
    safety.findings().forEach(f -> out.println("  " + f.sentence()));
  }

  private static void print(PrintStream out, Path dir, TrainableModel model,
      ModelLoader.Choice choice, Map<String, Double> rates, ScanReport safety, boolean trusted) {
    ModelContract c = model.contract();
    boolean exported = model.trainingPath().kind() == TrainingPath.Kind.EXPORTED;
    out.printf("model        %s (%s)%n", c.modelName(), dir);
    out.printf("path         %s%n", model.trainingPath());
    out.printf("why          %s%n", choice.reason());
    printSafety(out, safety, trusted);
    if (c.source() != null) {
      out.printf("source       %s%n", c.source());
    }
    out.printf("parameters   %,d (%,d trainable)%n", c.parameterCount(), c.trainableParameterCount());
    if (c.inputs().size() == 1 && !c.hasSeveralOutputs()) {
      out.printf("input        %s%n", c.input());
      out.printf("label        %s%n", c.label());
      out.printf("loss         %s%n", c.loss());
    } else {
      out.printf("inputs       %d%n", c.inputs().size());
      c.inputs().forEach(i -> out.printf("  %s (%s)%n", i, i.key()));
      out.printf("outputs      %d%n", c.outputs().size());
      c.outputs().forEach(o -> out.printf("  %s%n", o.describe()));
      out.printf("loss         %s%n", c.hasSeveralOutputs() ? c.loss() + "; " + TOTAL_LOSS
          : c.loss());
    }
    out.printf("metrics      %s%n", c.metrics().isEmpty() ? "none" : String.join(", ", c.metrics()));
    c.notes().forEach(note -> out.printf("note         %s%n", note));
    out.printf("%s TensorFlow %s, Keras %s (running on TensorFlow %s)%n",
        exported ? "exported by " : "saved by    ", c.tensorflowVersion(), c.kerasVersion(),
        TensorFlow.version());
    out.printf("variables    %d, all covered by snapshots%n", model.variableNames().size());
    out.println("optimizers");
    out.printf("  %-16s %-9s %-14s %s%n", "key", "class", "learning rate", "settings");
    for (OptimizerInfo o : c.optimizers()) {
      out.printf("  %-16s %-9s %-14s %s%n", o.key(), o.className(), format(rates.get(o.key())),
          settings(o));
    }
  }

  private static String settings(OptimizerInfo optimizer) {
    String shown = SHOWN_SETTINGS.stream()
        .filter(k -> optimizer.config().get(k) != null)
        .map(k -> k + "=" + optimizer.config().get(k))
        .collect(Collectors.joining(", "));
    return shown.isEmpty() ? "-" : shown;
  }

  /** Up to 6 significant digits without trailing zeros: {@code 0.01}, {@code 1e+10}, {@code 2.5e-07}. */
  static String format(double value) {
    String text = String.format(java.util.Locale.ROOT, "%.6g", value);
    int exponent = text.indexOf('e');
    String mantissa = exponent < 0 ? text : text.substring(0, exponent);
    if (mantissa.contains(".")) { // trim the mantissa's zeros only, never the exponent's
      mantissa = mantissa.replaceAll("\\.?0+$", "");
    }
    return exponent < 0 ? mantissa : mantissa + text.substring(exponent);
  }
}
