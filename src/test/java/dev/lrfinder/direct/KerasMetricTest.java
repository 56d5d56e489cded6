package dev.lrfinder.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.Shape;

class KerasMetricTest {
  @Test
  void readsSupportedMetricsAndNamesTheOthers() throws Exception {
    JsonNode metrics = new ObjectMapper().readTree("[[\"acc\", \"mse\", \"crossentropy\","
        + " {\"class_name\": \"MeanMetricWrapper\", \"config\": {\"name\": \"accuracy\","
        + " \"dtype\": \"float32\", \"fn\": \"categorical_accuracy\"}},"
        + " {\"class_name\": \"MeanMetricWrapper\", \"config\": {\"name\": \"top5\","
        + " \"dtype\": \"float32\", \"fn\": \"top_k_categorical_accuracy\"}},"
        + " {\"class_name\": \"BinaryAccuracy\", \"config\": {\"name\": \"b\", \"threshold\": 0.7}},"
        + " {\"class_name\": \"BinaryAccuracy\", \"config\": {\"name\": \"b5\", \"threshold\": 0.5}},"
        + " {\"class_name\": \"AUC\", \"config\": {\"name\": \"auc\"}}]]");
    assertEquals(List.of(new KerasMetric("acc", "accuracy"),
            new KerasMetric("mse", "mean_squared_error"), new KerasMetric("accuracy", "accuracy"),
            new KerasMetric("b5", "binary_matches")),
        KerasMetric.fromTrainingConfig(metrics));
    assertEquals(List.of("crossentropy", "top5", "b", "auc"), KerasMetric.unsupported(metrics));
    assertEquals(List.of(), KerasMetric.fromTrainingConfig(null));
  }

  @Test
  void accuracyFollowsTheShapesLikeCompile() {
    assertEquals("sparse_categorical_accuracy",
        KerasMetric.accuracyFunction(Shape.of(-1), Shape.of(-1, 10)));
    assertEquals("sparse_categorical_accuracy",
        KerasMetric.accuracyFunction(Shape.of(-1, 1), Shape.of(-1, 10)));
    assertEquals("categorical_accuracy",
        KerasMetric.accuracyFunction(Shape.of(-1, 10), Shape.of(-1, 10)));
    assertEquals("binary_accuracy", KerasMetric.accuracyFunction(Shape.of(-1), Shape.of(-1, 1)));
    assertEquals("binary_accuracy",
        KerasMetric.accuracyFunction(Shape.of(-1, 1), Shape.of(-1, 1)));
  }
}
