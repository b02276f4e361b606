/**
 * The appliance web UI. Its packages form a one-way stack (each imports only those below it):
 *
 * <pre>
 * (root)      UiServer: boot and shutdown (state directory, first admin, TLS key, mount, listener); UiConfig
 * web         the routes in one table (ApiRoutes), the controllers that translate HTTP to and from the
 *             packages below, the one error mapping, the security headers
 * schedule    schedules and the scheduler (their API is the web layer's ScheduleController)
 * http        the HTTP vocabulary every controller shares: JSON bodies and answers, ApiException, Routes
 *             (every route states its access), Authorization (deny by default)
 * vcenter     saved vCenter connections (sealed passwords), certificate probe
 * jobs        the job list, a bounded pool per kind of job, owners, jobs.jsonl
 * catalog     the backup listing (cached), the dashboard's statistics
 * files       a backup's files through the FUSE view, archives, file streaming
 * audit       audit.log
 * tls         the key and certificate, the HTTPS listener
 * auth        users, sessions, roles, the login limiter
 * </pre>
 */
package io.cairn.httpui;
