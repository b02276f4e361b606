/**
 * Jobs: long operations (backups, restores, maintenance) with state, phases, progress events and a
 * log, so that the CLI, the scheduler and the web UI watch the same thing. The engines below report
 * through {@link io.cairn.repository.backup.Progress}; {@link io.cairn.repository.job.Job#progress()}
 * adapts one to the other.
 */
package io.cairn.repository.job;
