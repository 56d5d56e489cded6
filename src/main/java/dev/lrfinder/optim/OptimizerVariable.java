package dev.lrfinder.optim;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.family.TType;

/**
 * A resource variable an optimizer created (a slot, its learning rate or its iteration
 * counter), for snapshots. {@code sharedName} is unique to the optimizer instance.
 */
public record OptimizerVariable(String name, String sharedName, Operand<? extends TType> handle,
    Class<? extends TType> type, Shape shape) {}
