package dev.lrfinder.data;

/**
 * Where a range test takes its training batches from: the engine asks for the batch of step
 * {@code i} (0-based, in order, each step once per optimizer; every optimizer asks for the same
 * steps again, so a source must give the same batch for the same step). {@link Batches} is the
 * in-memory implementation; a service can stream batches from elsewhere instead of building a
 * {@link Dataset}.
 *
 * <p>Batches must already match the model (its input and label types and shapes):
 * {@code dev.lrfinder.LrFinder} conforms each batch of a source for you.
 */
public interface BatchSource {
  /** Rows per batch; every batch the source gives has this many. */
  int batchSize();

  /** How many batches make one epoch (for a budget counted in epochs). */
  long stepsPerEpoch();

  /** The training rows one epoch covers; {@code stepsPerEpoch() * batchSize()} by default. */
  default long rows() {
    return stepsPerEpoch() * batchSize();
  }

  /** The batch of step {@code step} (0-based). */
  Batch batch(long step);
}
