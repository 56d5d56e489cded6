/**
 * Learning-rate schedules of the lab: a {@link dev.lrfinder.schedule.Schedule} gives the rate of
 * each update from its position, an {@link dev.lrfinder.schedule.EpochRule} decides at each
 * epoch's end from the epoch's logs (reduce on plateau, early stopping).
 *
 * <p>{@link dev.lrfinder.schedule.Schedules#parse} reads the command line's schedule specs into
 * {@link dev.lrfinder.schedule.Constant}, {@link dev.lrfinder.schedule.TimeDecay}, {@link
 * dev.lrfinder.schedule.EpochTimeDecay}, {@link dev.lrfinder.schedule.StepDecay}, {@link
 * dev.lrfinder.schedule.ExponentialDecay}, {@link dev.lrfinder.schedule.LinearDecay}, {@link
 * dev.lrfinder.schedule.Cyclical}, {@link dev.lrfinder.schedule.OneCycle}, {@link
 * dev.lrfinder.schedule.TorchOneCycle} and {@link dev.lrfinder.schedule.WarmupCosine}; {@link
 * dev.lrfinder.schedule.EpochRules} reads {@link dev.lrfinder.schedule.ReduceLROnPlateau} and
 * {@link dev.lrfinder.schedule.EarlyStopping}, which follow Keras 3's callbacks decision for
 * decision. The formulas, defaults and the peers' differences: docs/schedules.md.
 */
package dev.lrfinder.schedule;
