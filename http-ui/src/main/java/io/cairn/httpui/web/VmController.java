package io.cairn.httpui.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.cairn.httpui.catalog.Catalog;
import io.cairn.httpui.files.BackupFiles;
import io.cairn.httpui.http.Api;
import io.cairn.httpui.http.ApiException;
import io.cairn.httpui.schedule.Scheduler;
import io.cairn.repository.Repository;
import io.cairn.repository.manifest.Manifest;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The VMs and their backups: {@code GET /vms} (each VM with its backup count, last backup and state:
 * failed while a scheduled backup failed after its last good one), {@code GET /vms/{name}/backups}
 * (newest first) and {@code GET /backups/{id}} (the manifest as the pages show it, with the guest
 * volumes found in the backup's files).
 */
final class VmController {
    /** The file the mount lists among a backup's volumes to say why some could not be shown. */
    private static final String UNSUPPORTED = "UNSUPPORTED.txt";

    record LastBackup(String id, String time, long logicalBytes) {}

    /**
     * @param message with {@code failed}: the schedule, when and why
     * @param consistency the last backup's {@code consistency} label (quiesced, crash) or null
     */
    record State(
            String kind,
            @JsonInclude(JsonInclude.Include.NON_NULL) String message,
            String consistency) {}

    /** A VM: {@code identity}, {@code instanceUuid} and {@code lastBackup} are null for a VM without backups. */
    record VmView(String name, String identity, String instanceUuid, int backups, LastBackup lastBackup, State state) {}

    record DiskSummary(String name, long capacity) {}

    record BackupSummary(
            String id, String time, Map<String, String> labels, long logicalBytes, List<DiskSummary> disks) {}

    record DiskView(String name, long capacity, Map<String, String> metadata, Manifest.DiskStats stats) {}

    record FileView(String role, String name, long size) {}

    record Encryption(String keyId) {}

    /**
     * A backup in full.
     *
     * @param volumes the guest volumes its files show ({@code /volumes/<name>})
     * @param unsupported present when some volumes cannot be shown: why, as the mount says it
     * @param warnings what the backup left out or could not hold, one line each (absent when none)
     */
    record BackupView(
            String id,
            String time,
            Manifest.VmIdentity vm,
            Map<String, String> labels,
            JsonNode config,
            List<DiskView> disks,
            List<FileView> files,
            Encryption encryption,
            List<String> volumes,
            @JsonInclude(JsonInclude.Include.NON_NULL) String unsupported,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> warnings) {}

    private final Catalog catalog;
    private final BackupFiles files;
    private final Scheduler scheduler;

    VmController(Catalog catalog, BackupFiles files, Scheduler scheduler) {
        this.catalog = catalog;
        this.files = files;
        this.scheduler = scheduler;
    }

    void vms(Context ctx) throws IOException {
        List<VmView> out = new ArrayList<>();
        Map<String, Scheduler.VmFailure> failures = scheduler.vmFailures();
        Set<String> named = new HashSet<>();
        for (List<Repository.Listed> bs : catalog.byVm().values()) {
            Repository.Listed last = bs.get(bs.size() - 1);
            Manifest.VmIdentity vm = last.manifest().vm();
            Scheduler.VmFailure f = failures.get(vm.name());
            String consistency = last.manifest().labels().get("consistency");
            State state = f != null && f.finished().isAfter(last.manifest().instant())
                    ? new State("failed", failure(f), consistency)
                    : new State("ok", null, consistency);
            out.add(new VmView(
                    vm.name(),
                    vm.identity(),
                    vm.instanceUuid(),
                    bs.size(),
                    new LastBackup(
                            last.ref().id(),
                            last.manifest().instant().toString(),
                            last.manifest().logicalBytes()),
                    state));
            named.add(vm.name());
        }
        // a VM whose every scheduled backup failed has no backup to list it by, yet it is the one to see
        failures.forEach((name, f) -> {
            if (!named.contains(name)) {
                out.add(new VmView(name, null, null, 0, null, new State("failed", failure(f), null)));
            }
        });
        out.sort(Comparator.comparing(v -> String.valueOf(v.name())));
        Api.json(ctx, 200, out);
    }

    private static String failure(Scheduler.VmFailure f) {
        return "schedule '" + f.schedule() + "' at " + f.finished() + ": " + f.reason();
    }

    /** The backups of the VM named (or with the identity) {name}, newest first; 404 when it has none. */
    void backups(Context ctx) throws IOException {
        String name = ctx.pathParam("name");
        List<Repository.Listed> match = new ArrayList<>();
        for (Map.Entry<String, List<Repository.Listed>> e : catalog.byVm().entrySet()) {
            List<Repository.Listed> bs = e.getValue();
            if (name.equals(bs.get(bs.size() - 1).manifest().vm().name()) || name.equals(e.getKey())) {
                match.addAll(bs);
            }
        }
        if (match.isEmpty()) {
            throw ApiException.notFound("no VM named '" + name + "' has backups");
        }
        match.sort((a, b) -> b.manifest().instant().compareTo(a.manifest().instant()));
        List<BackupSummary> out = new ArrayList<>();
        for (Repository.Listed l : match) {
            Manifest m = l.manifest();
            out.add(new BackupSummary(
                    l.ref().id(),
                    m.instant().toString(),
                    m.labels(),
                    m.logicalBytes(),
                    m.disks().stream()
                            .map(d -> new DiskSummary(d.name(), d.capacity()))
                            .toList()));
        }
        Api.json(ctx, 200, out);
    }

    void backup(Context ctx) throws IOException {
        Repository.Listed l = catalog.backup(ctx.pathParam("id"));
        Manifest m = l.manifest();
        List<String> volumes = new ArrayList<>();
        String unsupported = null;
        Path dir = files.backupDir(l, catalog.backups());
        if (dir != null) {
            Path v = dir.resolve("volumes");
            for (BackupFiles.Entry e : files.list(v)) {
                if (e.name().equals(UNSUPPORTED)) {
                    unsupported = Files.readString(v.resolve(e.name()), StandardCharsets.UTF_8);
                } else {
                    volumes.add(e.name());
                }
            }
        }
        Api.json(
                ctx,
                200,
                new BackupView(
                        m.id(),
                        m.instant().toString(),
                        m.vm(),
                        m.labels(),
                        m.config(),
                        m.disks().stream()
                                .map(d -> new DiskView(d.name(), d.capacity(), d.metadata(), d.stats()))
                                .toList(),
                        m.files().stream()
                                .map(f -> new FileView(f.role(), f.name(), f.size()))
                                .toList(),
                        new Encryption(
                                m.encryption() == null ? null : m.encryption().keyId()),
                        volumes,
                        unsupported,
                        m.warnings()));
    }
}
