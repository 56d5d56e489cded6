package dev.lrfinder.runtime;

import dev.lrfinder.data.Batch;
import dev.lrfinder.model.ModelContract;
import dev.lrfinder.model.ModelSnapshot;
import dev.lrfinder.model.StepResult;
import dev.lrfinder.model.TrainableModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What both training paths share around their TensorFlow session: the checks before each call
 * (optimizer key, learning rate, batch against the contract, not closed), snapshots through one
 * {@link VariableStore}, and one lock per instance, so each step, rate change, snapshot and restore
 * is atomic: one instance's session runs never interleave across threads (a step that sets the rate
 * and trains in two runs included). Subclasses supply the session calls.
 */
public abstract class SessionModel implements TrainableModel {
  private final ModelContract contract;
  private final VariableStore variables;
  private final Object lock = new Object();
  private boolean closed;

  /**
   * @param contract what the model offers; its optimizer keys are the ones calls may name
   * @param variables every variable of the session, for snapshots
   */
  protected SessionModel(ModelContract contract, VariableStore variables) {
    this.contract = Objects.requireNonNull(contract, "contract");
    this.variables = Objects.requireNonNull(variables, "variables");
  }

  /** The store of every variable, for checks after loading. */
  protected final VariableStore variables() {
    return variables;
  }

  /** One training step of {@code optimizer} (a key of the contract) on a batch that fits. */
  protected abstract StepResult train(String optimizer, Batch batch);

  /**
   * Sets the rate and trains one step; by default two calls, {@link #writeLearningRate} then
   * {@link #train}. A path that can do both in one session run overrides it.
   */
  protected StepResult trainAtRate(String optimizer, double learningRate, Batch batch) {
    writeLearningRate(optimizer, learningRate);
    return train(optimizer, batch);
  }

  /**
   * Sets the rate and the momentum and trains one step; by default {@link #writeMomentum} then
   * {@link #trainAtRate}. Called only where {@link #momentumSettable} holds.
   */
  protected StepResult trainAtRateAndMomentum(String optimizer, double learningRate,
      double momentum, Batch batch) {
    writeMomentum(optimizer, momentum);
    return trainAtRate(optimizer, learningRate, batch);
  }

  /** Whether the optimizer's momentum can be set; false unless a path overrides it. */
  protected boolean momentumSettable(String optimizer) {
    return false;
  }

  /** The momentum variable's value; called only where {@link #momentumSettable} holds. */
  protected double readMomentum(String optimizer) {
    throw new UnsupportedOperationException("no momentum");
  }

  /** Assigns a checked momentum; called only where {@link #momentumSettable} holds. */
  protected void writeMomentum(String optimizer, double momentum) {
    throw new UnsupportedOperationException("no momentum");
  }

  /** Loss and metrics in inference mode on a batch that fits. */
  protected abstract StepResult evaluateBatch(Batch batch);

  /** The current value of the optimizer's learning-rate variable. */
  protected abstract double readLearningRate(String optimizer);

  /** Assigns a rate already checked to be finite and {@code >= 0}. */
  protected abstract void writeLearningRate(String optimizer, double learningRate);

  /** Frees the session and everything native it holds; called once. */
  protected abstract void closeSession();

  @Override
  public final ModelContract contract() {
    return contract;
  }

  /** Names of every variable that snapshots cover (the model's and the optimizers'). */
  @Override
  public final List<String> variableNames() {
    return variables.names();
  }

  @Override
  public final StepResult trainStep(String optimizer, Batch batch) {
    contract.requireOptimizer(optimizer);
    contract.requireFits(batch);
    synchronized (lock) {
      requireOpen();
      return train(optimizer, batch);
    }
  }

  @Override
  public final StepResult trainStep(String optimizer, double learningRate, Batch batch) {
    contract.requireOptimizer(optimizer);
    requireRate(learningRate);
    contract.requireFits(batch);
    synchronized (lock) {
      requireOpen();
      return trainAtRate(optimizer, learningRate, batch);
    }
  }

  @Override
  public final StepResult evaluate(Batch batch) {
    contract.requireFits(batch);
    synchronized (lock) {
      requireOpen();
      return evaluateBatch(batch);
    }
  }

  @Override
  public final double learningRate(String optimizer) {
    contract.requireOptimizer(optimizer);
    synchronized (lock) {
      requireOpen();
      return readLearningRate(optimizer);
    }
  }

  @Override
  public final void setLearningRate(String optimizer, double learningRate) {
    contract.requireOptimizer(optimizer);
    requireRate(learningRate);
    synchronized (lock) {
      requireOpen();
      writeLearningRate(optimizer, learningRate);
    }
  }

  @Override
  public final boolean hasSettableMomentum(String optimizer) {
    contract.requireOptimizer(optimizer);
    return momentumSettable(optimizer);
  }

  @Override
  public final double momentum(String optimizer) {
    requireMomentum(optimizer);
    synchronized (lock) {
      requireOpen();
      return readMomentum(optimizer);
    }
  }

  @Override
  public final void setMomentum(String optimizer, double momentum) {
    requireMomentum(optimizer);
    requireMomentumValue(momentum);
    synchronized (lock) {
      requireOpen();
      writeMomentum(optimizer, momentum);
    }
  }

  @Override
  public final StepResult trainStep(String optimizer, double learningRate, double momentum,
      Batch batch) {
    requireMomentum(optimizer);
    requireRate(learningRate);
    requireMomentumValue(momentum);
    contract.requireFits(batch);
    synchronized (lock) {
      requireOpen();
      return trainAtRateAndMomentum(optimizer, learningRate, momentum, batch);
    }
  }

  private void requireMomentum(String optimizer) {
    if (!hasSettableMomentum(optimizer)) {
      throw new UnsupportedOperationException("optimizer '" + optimizer + "' of model '"
          + contract.modelName() + "' has no momentum that " + trainingPath().kind().label()
          + " training can set");
    }
  }

  private static void requireMomentumValue(double momentum) {
    if (!(momentum >= 0 && momentum <= 1)) {
      throw new IllegalArgumentException("momentum must be in [0, 1], got " + momentum);
    }
  }

  @Override
  public final ModelSnapshot snapshot() {
    synchronized (lock) {
      requireOpen();
      return variables.read();
    }
  }

  @Override
  public final ModelSnapshot snapshotToDisk(Path prefix) {
    synchronized (lock) {
      requireOpen();
      variables.save(prefix);
    }
    return new ModelSnapshot.OnDisk(prefix);
  }

  @Override
  public final void restore(ModelSnapshot snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    synchronized (lock) {
      requireOpen();
      if (snapshot instanceof ModelSnapshot.InMemory inMemory) {
        variables.write(inMemory);
      } else if (snapshot instanceof ModelSnapshot.OnDisk onDisk) {
        variables.load(onDisk.prefix());
      } else {
        throw new IllegalArgumentException("unknown snapshot type " + snapshot.getClass());
      }
    }
  }

  /** Closes the session; a second close does nothing, any other call after it throws. */
  @Override
  public final void close() {
    synchronized (lock) {
      if (!closed) {
        closed = true;
        closeSession();
      }
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("model '" + contract.modelName() + "' is closed");
    }
  }

  private static void requireRate(double learningRate) {
    if (!Double.isFinite(learningRate) || learningRate < 0) {
      throw new IllegalArgumentException("learning rate must be finite and >= 0, got "
          + learningRate);
    }
  }
}
