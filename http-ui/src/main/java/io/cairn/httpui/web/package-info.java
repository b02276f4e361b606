/**
 * The web layer: every route in one table ({@link io.cairn.httpui.web.ApiRoutes}), small controllers
 * per area (sessions, dashboard, VMs and backups, files, restores, jobs, vCenter connections) that
 * translate HTTP into calls of the packages below and their results into JSON records, and the one
 * error mapping ({@link io.cairn.httpui.web.ErrorMapping}: typed exception to status and
 * {@code {"error": "one line"}}). Nothing below imports this package.
 */
package io.cairn.httpui.web;
