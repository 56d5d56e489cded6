package dev.lrfinder.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KerasOptimizerConfigsTest {

  private static Map<String, Object> keras(String className, Map<String, Object> config) {
    Map<String, Object> serialized = new HashMap<>();
    serialized.put("module", "keras.optimizers");
    serialized.put("class_name", className);
    serialized.put("config", config);
    serialized.put("registered_name", null);
    return serialized;
  }

  private static Map<String, Object> config(Object... keyValues) {
    Map<String, Object> map = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put((String) keyValues[i], keyValues[i + 1]);
    }
    return map;
  }

  private static String error(Map<String, Object> serialized) {
    return assertThrows(IllegalArgumentException.class,
        () -> OptimizerConfig.fromKeras(serialized)).getMessage();
  }

  @Test
  void readsTfKerasRegisteredNames() {
    // What tf_keras 2.18 writes to a SavedModel's training_config.optimizer_config.
    Map<String, Object> adam = keras("Custom>Adam", config("name", "Adam", "weight_decay", null,
        "jit_compile", false, "is_legacy_optimizer", false, "learning_rate", 0.0010000000474974513,
        "beta_1", 0.8, "beta_2", 0.999, "epsilon", 1e-07, "amsgrad", false));
    assertEquals(new AdamConfig(0.0010000000474974513, 0.8, 0.999, 1e-7, false, 0.0),
        OptimizerConfig.fromKeras(adam));
    assertTrue(error(keras("Custom>Nadam", config())).contains("Nadam"));
  }

  @Test
  void missingKeysTakeKerasDefaults() {
    assertEquals(SgdConfig.defaults(), OptimizerConfig.fromKeras(keras("SGD", config())));
    assertEquals(RmsPropConfig.defaults(), OptimizerConfig.fromKeras(keras("RMSprop", config())));
    assertEquals(AdagradConfig.defaults(), OptimizerConfig.fromKeras(keras("Adagrad", config())));
    assertEquals(AdamConfig.defaults(), OptimizerConfig.fromKeras(keras("adam", config())));
    assertEquals(AdamWConfig.defaults(), OptimizerConfig.fromKeras(keras("AdamW", config())));
  }

  @Test
  void readsATfKerasSerialization() {
    Map<String, Object> c = config("name", "Adam", "weight_decay", null, "clipnorm", null,
        "global_clipnorm", null, "clipvalue", null, "use_ema", false, "ema_momentum", 0.99,
        "ema_overwrite_frequency", null, "jit_compile", false, "is_legacy_optimizer", false,
        "learning_rate", 0.0010000000474974513, "beta_1", 0.8, "beta_2", 0.99, "epsilon", 1e-8,
        "amsgrad", true);
    assertEquals(new AdamConfig(0.0010000000474974513, 0.8, 0.99, 1e-8, true, 0),
        OptimizerConfig.fromKeras(keras("Adam", c)));
    assertEquals(new SgdConfig(0.1, 0.9, true, 0.01), OptimizerConfig.fromKeras(keras("SGD",
        config("learning_rate", 0.1, "momentum", 0.9, "nesterov", true, "weight_decay", 0.01))));
    assertEquals(2, ((SgdConfig) OptimizerConfig.fromKeras(
        keras("SGD", config("learning_rate", 2)))).learningRate());
  }

  @Test
  void refusesWhatItCannotReproduce() {
    assertTrue(error(keras("Nadam", config())).contains("Unsupported Keras optimizer \"Nadam\""));
    assertTrue(error(keras("SGD", config("clipnorm", 1.0))).contains("clipnorm=1.0"));
    assertTrue(error(keras("Adam", config("clipvalue", 0.5))).contains("clipvalue"));
    assertTrue(error(keras("Adam", config("global_clipnorm", 1))).contains("global_clipnorm"));
    assertTrue(error(keras("Adam", config("use_ema", true))).contains("use_ema"));
    assertTrue(error(keras("AdamW", config("is_legacy_optimizer", true))).contains("legacy"));
    assertTrue(error(keras("Adam", config("adaptive_epsilon", true))).contains("adaptive_epsilon"));
    assertTrue(error(keras("AdamW", config("weight_decay", null))).contains("weight_decay"));
    assertTrue(error(keras("Adam", config("learning_rate",
        Map.of("class_name", "ExponentialDecay", "config", Map.of())))).contains("schedule"));
    assertTrue(error(keras("SGD", config("lr", 0.1, "learning_rate", 0.2))).contains("keep one"));
    assertTrue(error(keras("SGD", config("momentum", "high"))).contains("must be a number"));
    assertTrue(error(Map.of("config", Map.of())).contains("class_name"));
  }
  @Test
  void aLegacyRmspropWithDecayKeepsItsSettingsAndSaysTheDecayIsNotApplied() {
    // tf_keras.optimizers.legacy.RMSprop(lr=0.001, decay=1e-6, rho=0.8, momentum=0.5) as saved
    // in keras_metadata.pb (float32 values widened).
    KerasOptimizerConfigs.Parsed parsed = KerasOptimizerConfigs.read(keras("RMSprop", config(
        "name", "RMSprop", "learning_rate", 0.0010000000474974513, "decay", 1e-06,
        "rho", 0.800000011920929, "momentum", 0.5, "epsilon", 1e-07, "centered", false)));
    assertEquals(new RmsPropConfig(0.0010000000474974513, 0.800000011920929, 0.5, 1e-7, false,
        0.0, true), parsed.config());
    assertEquals(java.util.List.of("the compiled RMSprop's decay=1e-06 (legacy time decay, lr /"
        + " (1 + decay * iterations)) is not applied: lrfinder sets the learning rate at every"
        + " step of the range test; its other settings are kept"), parsed.notes());
    assertTrue(KerasOptimizerConfigs.read(keras("SGD", config("decay", 0.01))).notes().get(0)
        .contains("decay=0.01 "));
    assertTrue(KerasOptimizerConfigs.read(keras("SGD", config("decay", 1.5e-5))).notes().get(0)
        .contains("decay=1.5e-05 "));
  }

  @Test
  void oldKerasLrAndLegacyFlagsAreRead() {
    KerasOptimizerConfigs.Parsed old = KerasOptimizerConfigs.read(keras("Adagrad",
        config("lr", 0.01, "decay", 0.0, "epsilon", 1e-7)));
    assertEquals(new AdagradConfig(0.01, 0.1, 1e-7, 0.0, true), old.config());
    assertEquals(java.util.List.of(), old.notes(), "decay 0 changes nothing");
    assertEquals(new SgdConfig(0.1, 0.9, false, 0.0), OptimizerConfig.fromKeras(
        keras("SGD", config("lr", 0.1, "momentum", 0.9, "decay", 0.0))), "same update either way");
    assertEquals(new AdamConfig(0.001, 0.9, 0.999, 1e-7, false, 0.0), OptimizerConfig.fromKeras(
        keras("Adam", config("is_legacy_optimizer", true))));
    assertEquals(new RmsPropConfig(0.001, 0.9, 0.0, 1e-7, false, 0.0, false),
        OptimizerConfig.fromKeras(keras("RMSprop", config("is_legacy_optimizer", false))));
  }
}
