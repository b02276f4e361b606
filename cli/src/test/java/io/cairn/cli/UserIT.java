package io.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.httpui.auth.Role;
import io.cairn.httpui.auth.Users;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cairn user add|passwd|remove} against a state directory, read back with the web UI's own Users. */
class UserIT {
    @TempDir
    Path dir;

    private Cairn cairn;

    @BeforeEach
    void start() {
        cairn = new Cairn();
    }

    @AfterEach
    void stop() {
        cairn.close();
    }

    private Path password(String name, String pw) throws Exception {
        Path f = dir.resolve(name + ".pw");
        Files.writeString(f, pw + "\n");
        return f;
    }

    @Test
    void passwdKeepsTheRoleAndReplacesThePassword() throws Exception {
        Path state = dir.resolve("state");
        cairn.run(
                        "user",
                        "add",
                        "alice",
                        "--role",
                        "operator",
                        "--password-file",
                        password("a1", "first password").toString(),
                        "--state",
                        state.toString())
                .ok();
        Cairn.Result r = cairn.run(
                        "user",
                        "passwd",
                        "alice",
                        "--password-file",
                        password("a2", "second password").toString(),
                        "--state",
                        state.toString())
                .ok();
        assertTrue(r.out().contains("user alice: new password saved"), r::describe);
        Users users = Users.load(state);
        assertNull(users.authenticate("alice", "first password".toCharArray()));
        assertEquals(Role.OPERATOR, users.authenticate("alice", "second password".toCharArray()));
    }

    @Test
    void passwdOfTheFirstAdminDeletesTheInitialPasswordFile() throws Exception {
        Path state = dir.resolve("state");
        Path initial = Users.load(state).createFirstAdmin();
        assertTrue(Files.exists(initial));
        Cairn.Result r = cairn.run(
                        "user",
                        "passwd",
                        "admin",
                        "--password-file",
                        password("admin", "the admin's own").toString(),
                        "--state",
                        state.toString())
                .ok();
        assertTrue(r.out().contains(initial + " deleted"), r::describe);
        assertFalse(Files.exists(initial), "the generated password is still on disk");
        assertEquals(Role.ADMIN, Users.load(state).authenticate("admin", "the admin's own".toCharArray()));
    }

    @Test
    void passwdAndRemoveOfAnUnknownUserFailInOneLine() throws Exception {
        Path state = dir.resolve("state");
        cairn.run(
                        "user",
                        "passwd",
                        "nobody",
                        "--password-file",
                        password("n", "long enough").toString(),
                        "--state",
                        state.toString())
                .expectFailure(2, "user passwd", "no user 'nobody'");
        cairn.run("user", "remove", "nobody", "--state", state.toString())
                .expectFailure(2, "user remove", "no user 'nobody'");
    }

    @Test
    void removeDeletesTheUser() throws Exception {
        Path state = dir.resolve("state");
        cairn.run(
                        "user",
                        "add",
                        "bob",
                        "--role",
                        "viewer",
                        "--password-file",
                        password("b", "bobs password").toString(),
                        "--state",
                        state.toString())
                .ok();
        cairn.run("user", "remove", "bob", "--state", state.toString()).ok();
        assertNull(Users.load(state).stamp("bob"));
    }
}
