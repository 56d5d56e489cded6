package dev.lrfinder.optim;

import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;

/**
 * A session config under which {@link GraphOptimizer}'s steps equal eager tf_keras bit for bit.
 * With TensorFlow's default config, Grappler's arithmetic optimizer and constant folding rewrite
 * some of the update math (e.g. {@code x / sqrt(y)} into {@code x * rsqrt(y)}, Adagrad), which
 * moves results by an ulp or so; tf_keras inside {@code tf.function} (as in {@code fit}) is
 * rewritten likewise, though not identically.
 */
public final class ExactSessionConfig {
  private ExactSessionConfig() {}

  /** Default settings except Grappler's arithmetic optimization and constant folding, off. */
  public static ConfigProto create() {
    RewriterConfig rewrites = RewriterConfig.newBuilder()
        .setArithmeticOptimization(RewriterConfig.Toggle.OFF)
        .setConstantFolding(RewriterConfig.Toggle.OFF)
        .build();
    return ConfigProto.newBuilder()
        .setGraphOptions(GraphOptions.newBuilder().setRewriteOptions(rewrites))
        .build();
  }
}
