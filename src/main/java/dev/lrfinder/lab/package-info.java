/**
 * The learning-rate lab: training a {@link dev.lrfinder.model.TrainableModel} for whole epochs
 * with a {@link dev.lrfinder.schedule.Schedule} and {@link dev.lrfinder.schedule.EpochRule}s, and
 * the learning curves of that run as Keras's {@code fit} reports them ({@link EpochTrainer}).
 */
package dev.lrfinder.lab;
