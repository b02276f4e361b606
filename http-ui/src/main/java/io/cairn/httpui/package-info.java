/** The appliance web UI (Javalin): built in the web-UI issue. */
package io.cairn.httpui;
