/**
 * The repository's backups as the web UI reads them: the listing cached for 2 seconds, a backup by
 * id ({@link io.cairn.repository.error.BackupNotFoundException} when gone), backups by VM
 * ({@link io.cairn.httpui.catalog.Catalog}), and the dashboard's statistics refreshed in the
 * background ({@link io.cairn.httpui.catalog.StatsCache}).
 */
package io.cairn.httpui.catalog;
