package dev.lrfinder.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lrfinder.loader.ModelLoader;
import dev.lrfinder.model.ModelContract;
import dev.lrfinder.model.OptimizerInfo;
import dev.lrfinder.model.TrainableModel;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.tensorflow.TensorFlow;

/**
 * {@code lrfinder inspect <model-dir>}: which training path a model takes and why, and what it
 * offers (inputs, loss, metrics, optimizers with their current learning rates).
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
    return "show a model's inputs, loss, metrics and optimizers with their current learning rates";
  }

  @Override
  public Options options() {
    return ModelOptions.addOptions(new Options())
        .addOption(Option.builder().longOpt("optimizers").hasArg().argName("A,B")
            .desc("optimizers a Keras 2 SavedModel would be trained with (default: its compiled"
                + " one, sgd and adam)").build())
        .addOption(Option.builder().longOpt("json").desc("print the contract as JSON").build());
  }

  @Override
  public int run(CommandLine line, Console console) throws Exception {
    Path dir = Args.modelDir(line, console);
    ModelLoader.Choice choice = ModelLoader.choose(dir);
    List<String> optimizers = Args.optimizerKeys(line, "optimizers");
    try (TrainableModel model = ModelOptions.open(line, dir, optimizers, console)) {
      Map<String, Double> rates = new LinkedHashMap<>();
      model.optimizers().forEach(k -> rates.put(k, model.learningRate(k)));
      if (line.hasOption("json")) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("directory", dir.toString());
        json.put("path", choice.path().name().toLowerCase(java.util.Locale.ROOT));
        json.put("path_description", model.trainingPath());
        json.put("path_reason", choice.reason());
        json.put("contract", model.contract());
        json.put("learning_rates", rates);
        json.put("variables", model.variableNames().size());
        json.put("runtime_tensorflow_version", TensorFlow.version());
        console.out().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .writeValueAsString(json));
      } else {
        print(console.out(), dir, model, choice, rates);
      }
    }
    return Main.OK;
  }

  private static void print(PrintStream out, Path dir, TrainableModel model,
      ModelLoader.Choice choice, Map<String, Double> rates) {
    ModelContract c = model.contract();
    boolean exported = choice.path() == ModelLoader.TrainingPath.EXPORTED;
    out.printf("model        %s (%s)%n", c.modelName(), dir);
    out.printf("path         %s%n", model.trainingPath());
    out.printf("why          %s%n", choice.reason());
    if (c.source() != null) {
      out.printf("source       %s%n", c.source());
    }
    out.printf("parameters   %,d (%,d trainable)%n", c.parameterCount(), c.trainableParameterCount());
    out.printf("input        %s%n", c.input());
    out.printf("label        %s%n", c.label());
    out.printf("loss         %s%n", c.loss());
    out.printf("metrics      %s%n", c.metrics().isEmpty() ? "none" : String.join(", ", c.metrics()));
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

  static String format(double value) {
    return String.format("%.6g", value).replaceAll("\\.?0+(e|$)", "$1");
  }
}
