"""Tests of scripts/export.py's settable momentum: SGD and RMSprop with momentum > 0, Adam and
AdamW (Keras 3 and tf_keras) hold their momentum or beta_1 in a variable (the
``_SettableMomentum`` subclasses), compute exactly what the stock Keras classes compute at a fixed
momentum and with it set per step, are described in the metadata as the stock classes, and get
the ``get_momentum_K``, ``set_momentum_K`` and ``train_at_lr_momentum_K`` signatures. The Java
side is checked in ExportedMomentumTest."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

import export
from conftest import SEED, build_tiny_model, make_batches

SETTABLE = ["sgd:momentum=0.9", "sgd:momentum=0.9,nesterov=true", "rmsprop:momentum=0.5",
            "rmsprop:momentum=0.5,centered=true", "adam", "adam:amsgrad=true,beta_1=0.8",
            "adamw:weight_decay=0.01", "sgd:momentum=0.9,clipnorm=0.5"]
NOT_SETTABLE = ["sgd", "rmsprop", "adagrad", "adadelta", "adamax", "nadam", "ftrl", "lion"]
MOMENTUM_SIGNATURES = ("get_momentum_{}", "set_momentum_{}", "train_at_lr_momentum_{}")


def steps(spec_text: str, settable: bool, momenta=None, count: int = 12):
    """``count`` traced steps of a fresh seeded tiny model: (losses, weights, optimizer). With
    ``momenta``, the momentum is set before each step: the settable optimizer's variable
    (``assign_momentum``) or the stock optimizer's Python attribute (eager steps, since the stock
    class reads the attribute when it traces)."""
    keras.utils.set_random_seed(SEED)
    model = build_tiny_model(compiled=False)
    optimizer = export.parse_optimizer_spec(spec_text).build(export.keras3(), settable)
    export.build_optimizer(optimizer, model.trainable_variables)
    loss_fn = keras.losses.SparseCategoricalCrossentropy()

    def step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss

    traced = tf.function(step)
    losses = []
    for k, (x, y) in enumerate(make_batches(count, seed=3)):
        if momenta is None:
            losses.append(float(traced(x, y)))
            continue
        if settable:
            optimizer.assign_momentum(momenta[k])
        else:
            setattr(optimizer, "beta_1" if hasattr(optimizer, "beta_1") else "momentum",
                    momenta[k])
        losses.append(float(step(tf.constant(x), tf.constant(y))))
    return losses, [w.numpy() for w in model.trainable_variables], optimizer


@pytest.mark.parametrize("spec", SETTABLE)
def test_settable_optimizer_computes_as_the_stock_class_bit_for_bit(spec):
    stock_losses, stock_weights, stock = steps(spec, settable=False)
    losses, weights, settable = steps(spec, settable=True)
    assert export.has_settable_momentum(settable) and not export.has_settable_momentum(stock)
    assert isinstance(settable, type(stock))
    assert export.stock_class_name(settable) == type(stock).__name__
    assert settable.get_config() == stock.get_config()
    assert losses == stock_losses
    for mine, theirs in zip(weights, stock_weights):
        assert np.array_equal(mine, theirs)


@pytest.mark.parametrize("spec", ["sgd:momentum=0.9", "rmsprop:momentum=0.5", "adam",
                                  "adamw:weight_decay=0.01"])
def test_momentum_set_per_step_equals_the_stock_attribute_set_per_step(spec):
    # Not 0: stock SGD set to momentum 0 takes its Python branch without the momentum slot (the
    # slot keeps its value), where the settable one keeps the formula, m = m * 0 - g * lr, as the
    # direct path does.
    momenta = [0.95, 0.9, 0.85, 0.8, 0.5, 0.99, 0.3, 0.7]
    stock_losses, stock_weights, _ = steps(spec, False, momenta, count=len(momenta))
    losses, weights, optimizer = steps(spec, True, momenta, count=len(momenta))
    assert losses == stock_losses
    for mine, theirs in zip(weights, stock_weights):
        assert np.array_equal(mine, theirs)
    assert optimizer.momentum_variable.numpy() == np.float32(momenta[-1])
    if optimizer.complement:  # 1 - beta_1 computed in double, rounded once, as Python's
        assert optimizer.one_minus_momentum_variable.numpy() == np.float32(1 - momenta[-1])


@pytest.mark.parametrize("spec", NOT_SETTABLE)
def test_optimizers_without_a_momentum_term_stay_stock(spec):
    optimizer = export.parse_optimizer_spec(spec).build(export.keras3())
    assert not export.has_settable_momentum(optimizer)
    assert type(optimizer).__module__.startswith("keras")


def tf_keras_steps(spec_text: str, settable: bool, sparse: bool, momenta=None, count=10):
    """As ``steps``, with tf_keras: a Dense model, or an Embedding one (sparse gradients)."""
    import tf_keras
    tf_keras.utils.set_random_seed(SEED)
    if sparse:
        model = tf_keras.Sequential([tf_keras.layers.Embedding(20, 4, input_length=3),
                                     tf_keras.layers.Flatten(), tf_keras.layers.Dense(3)])
        model.build((None, 3))
    else:
        model = tf_keras.Sequential([tf_keras.layers.Dense(8, activation="relu",
                                                           input_shape=(4,)),
                                     tf_keras.layers.Dense(3)])
    optimizer = export.parse_optimizer_spec(spec_text).build(export.tf_keras_library(), settable)
    export.build_optimizer(optimizer, model.trainable_variables)

    def step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf_keras.losses.sparse_categorical_crossentropy(
                y, model(x, training=True), from_logits=True))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss

    traced = tf.function(step)
    rng = np.random.default_rng(0)
    losses = []
    for k in range(count):
        x = rng.integers(0, 20, (8, 3)).astype("int32") if sparse \
            else rng.normal(size=(8, 4)).astype("float32")
        y = rng.integers(0, 3, 8).astype("int32")
        if momenta is None:
            losses.append(float(traced(x, y)))
            continue
        if settable:
            optimizer.assign_momentum(momenta[k])
        else:
            setattr(optimizer, "beta_1" if hasattr(optimizer, "beta_1") else "momentum",
                    momenta[k])
        losses.append(float(step(tf.constant(x), tf.constant(y))))
    return losses, [w.numpy() for w in model.trainable_variables], optimizer


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("spec", ["sgd:momentum=0.9", "sgd:momentum=0.9,nesterov=true",
                                  "rmsprop:momentum=0.5", "rmsprop:momentum=0.5,centered=true",
                                  "adam", "adam:amsgrad=true", "adamw:weight_decay=0.01"])
def test_tf_keras_settable_optimizer_computes_as_the_stock_class_bit_for_bit(spec, sparse):
    stock_losses, stock_weights, stock = tf_keras_steps(spec, False, sparse)
    losses, weights, settable = tf_keras_steps(spec, True, sparse)
    assert export.has_settable_momentum(settable) and isinstance(settable, type(stock))
    assert export.stock_class_name(settable) == type(stock).__name__
    assert settable.get_config() == stock.get_config()
    assert losses == stock_losses
    assert all(np.array_equal(a, b) for a, b in zip(weights, stock_weights))
    momenta = [0.95, 0.9, 0.85, 0.8, 0.5, 0.99, 0.3, 0.7, 0.9, 0.92]
    stock_losses, stock_weights, _ = tf_keras_steps(spec, False, sparse, momenta)
    losses, weights, _ = tf_keras_steps(spec, True, sparse, momenta)
    assert losses == stock_losses
    assert all(np.array_equal(a, b) for a, b in zip(weights, stock_weights))


def test_tf_keras_optimizers_without_a_momentum_term_stay_stock():
    for spec in ("sgd", "rmsprop", "adagrad", "nadam"):
        optimizer = export.parse_optimizer_spec(spec).build(export.tf_keras_library())
        assert not export.has_settable_momentum(optimizer)


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """The tiny model exported with settable momentum (the default) and with the stock classes."""
    specs = ["sgd:learning_rate=0.1", "sgd:momentum=0.9", "adam:learning_rate=0.01",
             "rmsprop:momentum=0.5"]
    out = {}
    for name, settable in (("settable", True), ("stock", False)):
        model = build_tiny_model()
        target = tmp_path_factory.mktemp(name) / "tiny"
        metadata = export.export_trainable(model, target, specs, model_name="tiny",
                                           source="test", settable_momentum=settable)
        out[name] = (target, metadata)
    return out


def test_metadata_describes_the_stock_classes_and_configs(exports):
    settable, stock = exports["settable"][1], exports["stock"][1]
    assert [o["class_name"] for o in settable["optimizers"]] == ["SGD", "SGD", "Adam", "RMSprop"]
    assert settable["optimizers"] == stock["optimizers"]


def test_momentum_signatures_only_where_the_update_has_a_momentum(exports):
    settable = set(tf.saved_model.load(str(exports["settable"][0])).signatures)
    stock = set(tf.saved_model.load(str(exports["stock"][0])).signatures)
    for key in ("sgd_momentum", "adam", "rmsprop_momentum"):
        assert {s.format(key) for s in MOMENTUM_SIGNATURES} <= settable
    assert not {s.format("sgd") for s in MOMENTUM_SIGNATURES} & settable
    assert not any("momentum_" in s and s.startswith(("get_mom", "set_mom", "train_at_lr_mom"))
                   for s in stock)
    assert settable - stock == {s.format(k) for k in ("sgd_momentum", "adam", "rmsprop_momentum")
                                for s in MOMENTUM_SIGNATURES}


def _scalars(directory) -> list:
    reader = tf.train.load_checkpoint(str(directory / "variables" / "variables"))
    return [reader.get_tensor(name) for name, shape in
            tf.train.list_variables(str(directory / "variables" / "variables"))
            if shape == [] and reader.get_variable_to_dtype_map()[name] == tf.float32]


def test_momentum_variables_are_in_the_checkpoint(exports):
    # The checkpoint's keys are positions, not names: count the float32 scalars holding the
    # momenta (sgd_momentum's 0.9, adam's beta_1 0.9, rmsprop_momentum's 0.5; no learning rate
    # of these optimizers is 0.9 or 0.5).
    settable = _scalars(exports["settable"][0])
    stock = _scalars(exports["stock"][0])
    assert sum(v == np.float32(0.9) for v in settable) == 2
    assert sum(v == np.float32(0.5) for v in settable) == 1
    assert not any(v in (np.float32(0.9), np.float32(0.5)) for v in stock)
    assert len(settable) == len(stock) + 4  # and adam's 1 - beta_1


def call(loaded, signature, **tensors):
    outputs = loaded.signatures[signature](**{k: tf.constant(v) for k, v in tensors.items()})
    return {name: value.numpy() for name, value in outputs.items()}


def test_get_and_set_momentum(exports):
    loaded = tf.saved_model.load(str(exports["settable"][0]))
    assert call(loaded, "get_momentum_adam")["momentum"] == np.float32(0.9)
    assert call(loaded, "get_momentum_sgd_momentum")["momentum"] == np.float32(0.9)
    assert call(loaded, "set_momentum_adam", momentum=np.float64(0.85))["momentum"] \
        == np.float32(0.85)
    assert call(loaded, "get_momentum_adam")["momentum"] == np.float32(0.85)
    assert call(loaded, "get_momentum_rmsprop_momentum")["momentum"] == np.float32(0.5)


@pytest.mark.parametrize("key", ["sgd_momentum", "adam", "rmsprop_momentum"])
def test_fused_step_equals_set_lr_set_momentum_then_train_and_the_stock_export(exports, key):
    fused = tf.saved_model.load(str(exports["settable"][0]))
    split = tf.saved_model.load(str(exports["settable"][0]))
    stock = tf.saved_model.load(str(exports["stock"][0]))
    initial = {"sgd_momentum": 0.9, "adam": 0.9, "rmsprop_momentum": 0.5}[key]
    for k, (x, y) in enumerate(make_batches(8, seed=5)):
        lr = np.float32(0.01 * (1 + k % 3))
        momentum = np.float64(0.8 + 0.02 * k)
        one = call(fused, f"train_at_lr_momentum_{key}", x=x, y=y, lr=lr, momentum=momentum)
        call(split, f"set_lr_{key}", lr=lr)
        call(split, f"set_momentum_{key}", momentum=momentum)
        two = call(split, f"train_{key}", x=x, y=y)
        assert one == two
    # At the config's momentum, set at every step, the export trains as the stock one.
    ours = tf.saved_model.load(str(exports["settable"][0]))
    for x, y in make_batches(8, seed=6):
        lr = np.float32(0.01)
        mine = call(ours, f"train_at_lr_momentum_{key}", x=x, y=y, lr=lr,
                    momentum=np.float64(initial))
        assert mine == call(stock, f"train_at_lr_{key}", x=x, y=y, lr=lr)
