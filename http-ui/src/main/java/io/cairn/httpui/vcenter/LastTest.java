package io.cairn.httpui.vcenter;

/**
 * How the last login with a saved connection went (stored in {@code vcenters.json}, shown by the API).
 *
 * @param time when, ISO-8601
 * @param ok whether the login worked
 * @param message one line: the server and API version, or why it failed
 */
public record LastTest(String time, boolean ok, String message) {}
