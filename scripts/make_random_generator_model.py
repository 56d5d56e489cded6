"""A tf.keras model whose Dropout draws from tf.random.Generator (RngReadAndSkip + StatelessRandomUniformV2).

tf_keras builds this graph after ``keras.backend.experimental.enable_tf_random_generator()``;
DropoutSeedTest checks that the direct path keys it on (seed, step, op) like the legacy ops.
Usage: make_random_generator_model.py OUT (writes OUT/model, a SavedModel for the mlp.npz data).
"""
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tf_keras as keras  # noqa: E402


def main(out: Path) -> None:
    keras.backend.experimental.enable_tf_random_generator()
    keras.utils.set_random_seed(5)
    model = keras.Sequential([
        keras.Input(shape=(2,), dtype="float32"),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(3, activation="softmax"),
    ], name="random_generator")
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.save(out / "model")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
