/**
 * Backup schedules: {@link io.cairn.httpui.schedule.ScheduleStore} ({@code <state>/schedules.json},
 * replaced atomically); {@link io.cairn.httpui.schedule.Scheduler} wakes each minute (in the server's
 * local zone, from an injectable clock), starts each due schedule as a {@code backup} job on the
 * scheduled backups' pool of the web UI's job list (one running job per schedule, missed runs logged
 * and not replayed), and the run applies the schedule's retention to that VM only.
 * {@link io.cairn.httpui.schedule.Cron} is the five-field cron syntax and its daylight-saving rules.
 * Their API is the web layer's {@code ScheduleController}.
 */
package io.cairn.httpui.schedule;
