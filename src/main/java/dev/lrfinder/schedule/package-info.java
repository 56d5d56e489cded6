/**
 * Learning-rate schedules of the lab: a {@link dev.lrfinder.schedule.Schedule} gives the rate of
 * each update from its position, an {@link dev.lrfinder.schedule.EpochRule} decides at each
 * epoch's end from the epoch's logs (reduce on plateau, early stopping).
 */
package dev.lrfinder.schedule;
