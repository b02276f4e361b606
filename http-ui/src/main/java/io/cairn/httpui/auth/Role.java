package io.cairn.httpui.auth;

import io.javalin.security.RouteRole;
import java.util.Locale;

/** What a user may do. Each role includes the ones below it: viewer &lt; operator &lt; admin. */
public enum Role implements RouteRole {
    /** Reads the dashboard, VMs, backups and file listings. */
    VIEWER,
    /** A viewer who may also download files and folders, start restores and cancel jobs. */
    OPERATOR,
    /** Everything, including the user list. */
    ADMIN;

    public boolean includes(Role other) {
        return ordinal() >= other.ordinal();
    }

    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses "admin", "operator" or "viewer". */
    public static Role parse(String s) {
        for (Role r : values()) {
            if (r.jsonName().equals(s)) {
                return r;
            }
        }
        throw new IllegalArgumentException("role must be admin, operator or viewer, not '" + s + "'");
    }
}
