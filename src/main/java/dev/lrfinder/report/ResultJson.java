package dev.lrfinder.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lrfinder.model.ModelContract;
import dev.lrfinder.model.OptimizerInfo;
import dev.lrfinder.model.OutputSpec;
import dev.lrfinder.model.TensorSpec;
import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.rangetest.RangeTestResult;
import dev.lrfinder.suggest.Descent;
import dev.lrfinder.suggest.Suggestion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The report as JSON ({@code result.json}, and what {@code --json} prints): model, data, settings,
 * environment and, per optimizer, the curves and suggestions. Keys keep a fixed order; NaN and
 * infinite numbers are written as {@code null}; doubles are written in their shortest exact form,
 * so they read back to the same values.
 */
public final class ResultJson {
  public static final String FILE_NAME = "result.json";
  public static final int VERSION = 1;

  private ResultJson() {}

  /** The report as pretty-printed JSON with {@code \n} line ends (no trailing newline). */
  public static String toJson(ReportInput input) {
    try {
      return new ObjectMapper().writer(new Printer()).writeValueAsString(tree(input));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Two-space indents, {@code \n} line ends, {@code "key": value}. Written against Jackson 2.15's
   * API as well (no {@code Separators.Spacing}, which came in 2.16), so that the Spark module,
   * which pins Jackson to Spark 3.5's 2.15 (docs/spark.md), writes the same file.
   */
  private static final class Printer extends DefaultPrettyPrinter {
    private static final long serialVersionUID = 1L;

    Printer() {
      DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
      indentObjectsWith(indenter);
      indentArraysWith(indenter);
    }

    private Printer(Printer base) {
      super(base);
    }

    @Override
    public Printer createInstance() {
      return new Printer(this);
    }

    @Override
    public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(": ");
    }
  }

  /** The report as a JSON tree, NaN and infinities already replaced by null. */
  static ObjectNode tree(ReportInput input) {
    RangeTestResult result = input.result();
    ObjectNode root = node();
    root.put("lrfinder_report_version", VERSION);
    root.set("model", model(input));
    ObjectNode data = root.putObject("data");
    data.put("file", path(input.dataFile()));
    data.put("train_rows", result.trainRows());
    root.set("config", config(result.config(), input.skipBegin(), input.skipEnd()));
    root.put("planned_steps", result.plannedSteps());
    root.put("steps_per_epoch", result.stepsPerEpoch());
    ObjectNode environment = root.putObject("environment");
    environment.put("tensorflow", input.tensorflowVersion());
    environment.put("java", input.javaVersion());
    environment.put("created_at", input.createdAt() == null ? null : input.createdAt().toString());
    environment.put("command", input.command());
    ArrayNode warnings = root.putArray("warnings");
    input.notices().forEach(warnings::add);
    ArrayNode optimizers = root.putArray("optimizers");
    for (OptimizerCurve curve : result.curves()) {
      ObjectNode optimizer = optimizer(curve, input.suggestionsFor(curve.optimizer()));
      Descent descent = input.descent(curve);
      ObjectNode fell = optimizer.putObject("descent");
      fell.put("loss_fell", descent.fell());
      fell.put("start", descent.start());
      fell.put("lowest", descent.lowest());
      fell.put("threshold", descent.threshold());
      fell.put("noise", descent.noise());
      fell.put("note", descent.reason());
      optimizers.add(optimizer);
    }
    if (input.verification() != null) {
      root.set("verification", VerificationSection.json(input.verification()));
    }
    if (input.repeats() != null) {
      root.set("repeats", RepeatsSection.json(input.repeats()));
    }
    return (ObjectNode) finiteOnly(root);
  }

  private static ObjectNode model(ReportInput input) {
    ModelContract contract = input.contract();
    ObjectNode model = node();
    model.put("name", contract.modelName());
    model.put("directory", path(input.modelDir()));
    model.put("training_path", input.trainingPath());
    model.put("contract_version", contract.contractVersion());
    model.put("source", contract.source());
    model.put("parameter_count", contract.parameterCount());
    model.put("trainable_parameter_count", contract.trainableParameterCount());
    if (contract.inputs().size() == 1 && !contract.hasSeveralOutputs()) {
      model.set("input", spec(contract.input()));
      model.set("label", spec(contract.label()));
    }
    ArrayNode inputs = model.putArray("inputs");
    contract.inputs().forEach(i -> inputs.add(spec(i).put("key", i.key())));
    ArrayNode outputs = model.putArray("outputs");
    for (OutputSpec o : contract.outputs()) {
      ObjectNode output = outputs.addObject();
      output.put("key", o.key());
      output.set("shape", shape(o.shape()));
      output.set("label", spec(o.label()));
      output.put("loss", o.loss());
      output.set("loss_config", new ObjectMapper().valueToTree(o.lossConfig()));
      output.put("loss_weight", o.lossWeight());
      ArrayNode own = output.putArray("metrics");
      o.metrics().forEach(own::add);
    }
    // One output: its loss's name; several: the total, "total loss: 1 × mse (age) + ...".
    model.put("loss", contract.loss());
    ArrayNode metrics = model.putArray("metrics");
    contract.metrics().forEach(metrics::add);
    ArrayNode notes = model.putArray("notes");
    contract.notes().forEach(notes::add);
    model.put("keras_library", contract.kerasLibrary());
    ArrayNode optimizers = model.putArray("optimizers");
    for (OptimizerInfo info : contract.optimizers()) {
      ObjectNode optimizer = optimizers.addObject();
      optimizer.put("key", info.key());
      optimizer.put("class_name", info.className());
      optimizer.set("config", new ObjectMapper().valueToTree(info.config()));
      optimizer.put("initial_learning_rate", info.initialLearningRate());
    }
    model.put("tensorflow_version", contract.tensorflowVersion());
    model.put("keras_version", contract.kerasVersion());
    return model;
  }

  /** As in the contract file: shape dimensions of any size are {@code null}. */
  private static ObjectNode spec(TensorSpec spec) {
    ObjectNode node = node();
    node.put("name", spec.name());
    node.put("dtype", spec.dtype().label());
    node.set("shape", shape(spec.shape()));
    return node;
  }

  private static ArrayNode shape(long[] dimensions) {
    ArrayNode shape = JsonNodeFactory.instance.arrayNode();
    for (long dimension : dimensions) {
      if (dimension < 0) {
        shape.addNull();
      } else {
        shape.add(dimension);
      }
    }
    return shape;
  }

  private static ObjectNode config(RangeTestConfig config, int skipBegin, int skipEnd) {
    ObjectNode node = node();
    node.put("start_lr", config.startLr());
    node.put("end_lr", config.endLr());
    ObjectNode budget = node.putObject("budget");
    budget.put("kind", config.budget().kind().name());
    budget.put("value", config.budget().value());
    node.put("schedule", config.schedule().name());
    node.put("beta", config.beta());
    node.put("stop_factor", config.stopFactor());
    node.put("skip_begin", skipBegin);
    node.put("skip_end", skipEnd);
    node.put("batch_size", config.batchSize());
    node.put("shuffle", config.shuffle());
    node.put("seed", config.seed());
    node.put("validation_batches", config.validationBatches());
    node.put("snapshot_on_disk", config.snapshotOnDisk());
    ArrayNode optimizers = node.putArray("optimizers");
    config.optimizers().forEach(optimizers::add);
    return node;
  }

  private static ObjectNode optimizer(OptimizerCurve curve, List<Suggestion> suggestions) {
    ObjectNode node = node();
    node.put("optimizer", curve.optimizer());
    node.put("stop_reason", curve.stopReason().name());
    node.put("stop_description", curve.stopReason().description());
    node.put("steps_run", curve.stepsRun());
    node.put("planned_steps", curve.plannedSteps());
    node.put("best_smoothed_loss", curve.bestSmoothedLoss());
    node.put("seconds", curve.seconds());
    node.put("seconds_in_model", curve.secondsInModel());
    node.set("lr", numbers(curve.learningRates()));
    node.set("loss", numbers(curve.losses()));
    node.set("train_loss", numbers(curve.trainLosses()));
    node.set("smoothed", numbers(curve.smoothedLosses()));
    if (!curve.outputLosses().isEmpty()) {
      // Each output's own training loss per step, by output key; train_loss is their weighted sum.
      ObjectNode outputLosses = node.putObject("output_losses");
      curve.outputLosses().forEach((key, values) -> outputLosses.set(key, numbers(values)));
    }
    ArrayNode list = node.putArray("suggestions");
    for (Suggestion suggestion : suggestions) {
      ObjectNode item = list.addObject();
      item.put("rule", suggestion.rule());
      item.put("lr", suggestion.learningRate());
      item.put("note", suggestion.note());
    }
    return node;
  }

  private static ArrayNode numbers(List<Double> values) {
    ArrayNode array = JsonNodeFactory.instance.arrayNode(values.size());
    values.forEach(array::add);
    return array;
  }

  /** {@code node} with every NaN or infinite number replaced by null. */
  private static JsonNode finiteOnly(JsonNode node) {
    if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
      return JsonNodeFactory.instance.nullNode();
    }
    if (node.isObject()) {
      ObjectNode object = (ObjectNode) node;
      Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        field.setValue(finiteOnly(field.getValue()));
      }
    } else if (node.isArray()) {
      ArrayNode array = (ArrayNode) node;
      for (int i = 0; i < array.size(); i++) {
        array.set(i, finiteOnly(array.get(i)));
      }
    }
    return node;
  }

  private static String path(Path path) {
    return path == null ? null : path.toAbsolutePath().normalize().toString();
  }

  private static ObjectNode node() {
    return JsonNodeFactory.instance.objectNode();
  }
}
