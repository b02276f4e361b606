/**
 * The HTTP vocabulary every controller shares and nothing below the web layer needs: reading JSON
 * request bodies ({@link io.cairn.httpui.http.Api}, {@link io.cairn.httpui.http.Body}) and writing
 * JSON answers, {@link io.cairn.httpui.http.ApiException} (a status and one line), the route
 * registration in which every route states its access ({@link io.cairn.httpui.http.Routes},
 * {@link io.cairn.httpui.http.Access#PUBLIC} or a role) and the check before every route
 * ({@link io.cairn.httpui.http.Authorization}: deny by default).
 */
package io.cairn.httpui.http;
