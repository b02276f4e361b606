package io.cairn.httpui.web;

import io.cairn.httpui.catalog.Catalog;
import io.cairn.httpui.catalog.StatsCache;
import io.cairn.httpui.http.Api;
import io.cairn.httpui.http.Authorization;
import io.cairn.httpui.schedule.Scheduler;
import io.cairn.repository.Repository;
import io.cairn.repository.maintenance.Stats;
import io.cairn.repository.manifest.Manifest;
import io.cairn.repository.store.LocalStore;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /dashboard}: the repository's size and savings (statistics at most a minute old, see
 * {@link StatsCache}), VM and backup counts from the listing (so a new backup shows at once), the
 * stored and logical bytes over time, the last jobs and every schedule's next run and last outcome.
 */
final class DashboardController {
    /** How many of the newest jobs the dashboard shows. */
    static final int LAST_JOBS = 10;

    /** The repository as the dashboard shows it. */
    record RepositoryView(
            String id,
            String path,
            long logicalBytes,
            long storedBytes,
            long uniqueBytes,
            double dedupRatio,
            double compressionRatio,
            long chunks) {}

    /** The sums up to and including one backup, in backup order. */
    record HistoryPoint(String time, long storedBytes, long logicalBytes) {}

    record Dashboard(
            RepositoryView repository,
            long vms,
            int backups,
            List<HistoryPoint> history,
            List<JobView> lastJobs,
            List<ScheduleController.OverviewView> schedules) {}

    private final Repository repo;
    private final Path repositoryPath;
    private final Catalog catalog;
    private final StatsCache stats;
    private final JobController jobs;
    private final Scheduler scheduler;

    DashboardController(
            Repository repo,
            Path repositoryPath,
            Catalog catalog,
            StatsCache stats,
            JobController jobs,
            Scheduler scheduler) {
        this.repo = repo;
        this.repositoryPath = repositoryPath.toAbsolutePath().normalize();
        this.catalog = catalog;
        this.stats = stats;
        this.jobs = jobs;
        this.scheduler = scheduler;
    }

    void show(Context ctx) throws IOException {
        List<Repository.Listed> all = catalog.backups();
        Stats.Report r = stats.get(all.stream().map(l -> l.ref().id()).toList());
        RepositoryView repository = new RepositoryView(
                repo.config().id(),
                // a directory by its path, an object store by its location (s3://bucket/prefix at URL)
                repo.store() instanceof LocalStore ? repositoryPath.toString() : repo.describe(),
                r.logicalBytes(),
                r.repositoryBytes(),
                r.uniqueBytes(),
                r.dedupRatio(),
                r.compressionRatio(),
                r.uniqueChunks());
        List<HistoryPoint> history = new ArrayList<>();
        long stored = 0;
        long logical = 0;
        for (Repository.Listed l : all) {
            logical += l.manifest().logicalBytes();
            for (Manifest.DiskEntry d : l.manifest().disks()) {
                stored += d.stats() == null ? 0 : d.stats().storedBytes();
            }
            history.add(new HistoryPoint(l.manifest().instant().toString(), stored, logical));
        }
        long vms =
                all.stream().map(l -> l.manifest().vm().identity()).distinct().count();
        Api.json(
                ctx,
                200,
                new Dashboard(
                        repository,
                        vms,
                        all.size(),
                        history,
                        jobs.newest(LAST_JOBS, Authorization.session(ctx)),
                        scheduler.overview().stream()
                                .map(ScheduleController.OverviewView::of)
                                .toList()));
    }
}
