/**
 * Jobs: long operations (backups, restores, maintenance) with state, phases, progress events and a
 * log, so that the CLI, the scheduler and the web UI watch the same thing. The engines below report
 * through {@link io.cairn.repository.backup.Progress}; {@link io.cairn.operations.job.Job#progress()}
 * adapts one to the other. Ids are random ({@link io.cairn.operations.job.Job#create}): they name vCenter
 * snapshots.
 */
package io.cairn.operations.job;
