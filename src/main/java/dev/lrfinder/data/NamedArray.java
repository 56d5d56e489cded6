package dev.lrfinder.data;

/**
 * One array of a dataset: the model input or output it feeds (by key) and how messages name it.
 *
 * @param key the Keras input or output name ({@code x}/{@code y} for data read without a model)
 */
public record NamedArray(String key, HostArray array, ArrayName name) {
  /** This array's values replaced by {@code values}, same key and name. */
  public NamedArray with(HostArray values) {
    return new NamedArray(key, values, name);
  }
}
