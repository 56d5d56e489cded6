package dev.lrfinder.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.TestPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The experiment file reader: what it reads, and every refusal naming the file and the key. */
class ExperimentTest {
  @TempDir
  Path temp;

  private Path write(String name, String json) throws IOException {
    Path folder = Files.createDirectories(temp.resolve("experiments"));
    return Files.writeString(folder.resolve(name), json);
  }

  @Test
  void theBundledQuickExperimentReads() {
    Path file = TestPaths.root().resolve("experiments/blobs-quick-rates.json");
    Experiment experiment = Experiment.read(file);
    assertEquals("blobs-quick-rates", experiment.name());
    assertEquals(TestPaths.model("blobs_mlp"), experiment.modelDir());
    assertEquals(TestPaths.data("blobs_mlp"), experiment.dataFile());
    assertEquals(3, experiment.train().epochs());
    assertEquals("lr", experiment.vary().parameter());
    assertEquals(java.util.List.of("0.1", "0.01", "0.0001"), experiment.vary().values());
  }

  @Test
  void pathsAreRelativeToTheFileAndRunsOverrideTrain() throws IOException {
    Path file = write("two.json", """
        {"model": "../models/m", "train": {"epochs": 5, "batch-size": 16, "shuffle": false,
         "validation-split": 0.2, "lr": 1e-7},
         "runs": [{"label": "linear", "schedule": "linear:lr=0.001,delta=1e-5"},
                  {"epochs": 2}]}
        """);
    Experiment experiment = Experiment.read(file);
    assertEquals("two", experiment.name(), "the file's name by default");
    assertEquals(temp.resolve("models/m"), experiment.modelDir());
    assertNull(experiment.dataFile());
    assertNull(experiment.vary());
    assertEquals(1e-7, experiment.train().lr());
    var runs = experiment.plan("sgd", java.util.List.of()).points();
    assertEquals("linear", runs.get(0).label());
    assertEquals("linear:lr=0.001,delta=1e-5", runs.get(0).settings().schedule());
    assertEquals(5, runs.get(0).settings().epochs());
    assertEquals("run 2", runs.get(1).label());
    assertEquals(2, runs.get(1).settings().epochs());
    assertEquals(16, runs.get(1).settings().batchSize());
    assertEquals(false, runs.get(1).settings().shuffle());
  }

  @Test
  void everyMistakeIsOneLineNamingTheFileAndTheKey() throws IOException {
    String vary = "\"vary\": {\"parameter\": \"lr\", \"values\": [0.1]}";
    String[][] cases = {
        {"{\"model\": \"m\", " + vary + ", \"colour\": 1}", "colour: unknown key"},
        {"{\"model\": \"m\", " + vary + ", \"train\": {\"epoch\": 3}}", "train.epoch: unknown"
            + " key"},
        {"{\"model\": \"m\", " + vary + ", \"train\": {\"epochs\": 0}}", "train.epochs: epochs"
            + " must be a positive integer, got '0'"},
        {"{\"model\": \"m\", " + vary + ", \"train\": {\"shuffle\": \"maybe\"}}",
            "train.shuffle: shuffle must be true or false"},
        {"{\"model\": \"m\", " + vary + ", \"train\": {\"schedule\": [1]}}",
            "train.schedule: must be a number, a string or true/false"},
        {"{" + vary + "}", "model: is required"},
        {"{\"model\": 3, " + vary + "}", "model: must be a string"},
        {"{\"model\": \"m\"}", "give \"vary\""},
        {"{\"model\": \"m\", " + vary + ", \"runs\": [{}]}", "not both"},
        {"{\"model\": \"m\", \"vary\": {\"parameter\": \"speed\", \"values\": [1]}}",
            "vary: vary: unknown parameter 'speed'"},
        {"{\"model\": \"m\", \"vary\": {\"parameter\": \"lr\", \"values\": []}}",
            "vary.values: must be a non-empty list"},
        {"{\"model\": \"m\", \"vary\": {\"parameter\": \"lr\", \"values\": [1, 1]}}",
            "'1' is given twice"},
        {"{\"model\": \"m\", \"runs\": [{\"label\": \"a\"}, {\"label\": \"a\"}]}",
            "two runs are called 'a'"},
        {"{\"model\": \"m\", \"runs\": [{\"colour\": \"a\"}]}", "runs[0].colour: unknown key"},
        {"{\"model\": \"m\", " + vary + ",}", "not valid JSON (line 1"},
        {"{\"model\": \"m\", \"model\": \"n\", " + vary + "}", "not valid JSON"},
        {"// a comment\n{}", "not valid JSON"},
        {"[1]", "the file must hold one JSON object"}};
    for (String[] c : cases) {
      Path file = write("bad.json", c[0]);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Experiment.read(file), c[0]);
      assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
      assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
      assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Experiment.read(
        temp.resolve("none.json"))).getMessage().contains("does not exist"));
  }
}
