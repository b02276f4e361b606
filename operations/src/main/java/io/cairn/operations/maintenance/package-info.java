/**
 * Repository maintenance as use cases: {@link io.cairn.operations.maintenance.Check},
 * {@link io.cairn.operations.maintenance.Prune} (also the retention after one VM's backup) and
 * {@link io.cairn.operations.maintenance.Gc}, each with its one-line summary.
 */
package io.cairn.operations.maintenance;
