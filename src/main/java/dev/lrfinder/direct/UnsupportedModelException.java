package dev.lrfinder.direct;

import dev.lrfinder.model.ModelException;

/**
 * The model cannot be trained by the direct path (its message says why, as a clause that follows
 * "direct training does not support this model: "); the exporter path may still serve.
 */
public final class UnsupportedModelException extends ModelException {
  public UnsupportedModelException(String reason) {
    super(reason);
  }
}
