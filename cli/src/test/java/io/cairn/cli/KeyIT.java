package io.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn key list|add|remove|passwd} and the password a user offers, as real processes: several
 * passwords open one repository, changing one re-encrypts nothing, the key in use and the last key
 * cannot be removed, and a password given to a plaintext repository is refused.
 */
class KeyIT {
    static final long MiB = 1 << 20;

    @TempDir
    Path dir;

    private Cairn cairn;
    private Path repo;
    private Path first;
    private Path second;
    private Path third;
    private Path img;

    @BeforeEach
    void setUp() throws IOException {
        cairn = new Cairn();
        repo = dir.resolve("repo");
        first = Files.writeString(dir.resolve("pw1"), "first password\n");
        second = Files.writeString(dir.resolve("pw2"), "second password\n");
        third = Files.writeString(dir.resolve("pw3"), "third password\n");
        img = dir.resolve("web.img");
        Util.mixedImage(img, 4 * MiB, 3);
        cairn.run("init", "--repo", repo.toString(), "--encrypt", "--password-file", first.toString())
                .ok();
    }

    @AfterEach
    void tearDown() {
        cairn.close();
    }

    private JsonNode keys(Path password) {
        return cairn.run("key", "list", "--repo", repo.toString(), "--password-file", password.toString(), "--json")
                .ok()
                .json();
    }

    private static String current(JsonNode keys) {
        for (JsonNode k : keys) {
            if (k.get("current").asBoolean()) {
                return k.get("id").asText();
            }
        }
        throw new AssertionError("no key marked current: " + keys);
    }

    private static String id(Cairn.Result r, String prefix) {
        String line = r.out()
                .lines()
                .filter(l -> l.startsWith(prefix))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no line '" + prefix + "'\n" + r.describe()));
        return line.substring(line.lastIndexOf(' ') + 1);
    }

    private List<String> chunkFiles() throws IOException {
        List<String> out = new ArrayList<>(Util.files(repo.resolve("chunks")));
        out.sort(null);
        return out;
    }

    @Test
    @DisplayName("add a second password: both open the repository, list marks the one given; data is not rewritten")
    void addAndList() throws IOException {
        String backup = Cairn.backupId(cairn.run(Cairn.backupArgs(repo, img, "--password-file", first.toString()))
                .ok());
        List<String> chunks = chunkFiles();
        JsonNode before = keys(first);
        assertEquals(1, before.size(), before.toString());
        assertEquals(2, before.get(0).get("version").asInt());
        assertEquals(65536, before.get(0).get("scryptN").asInt());

        String added = id(
                cairn.run(
                                "key",
                                "add",
                                "--repo",
                                repo.toString(),
                                "--password-file",
                                first.toString(),
                                "--new-password-file",
                                second.toString())
                        .ok(),
                "added key ");
        JsonNode both = keys(second);
        assertEquals(2, both.size(), both.toString());
        assertEquals(added, current(both), "the second password opens the key just added");
        assertEquals(current(before), current(keys(first)));
        assertEquals(chunks, chunkFiles(), "no chunk was rewritten");

        Cairn.Result table = cairn.run("key", "list", "--repo", repo.toString(), "--password-file", second.toString())
                .ok();
        assertTrue(table.out().lines().anyMatch(l -> l.startsWith("* " + added)), table::describe);

        Path out = dir.resolve("out");
        cairn.run(
                        "restore",
                        "--repo",
                        repo.toString(),
                        "--password-file",
                        second.toString(),
                        backup,
                        "--to",
                        out.toString())
                .ok();
        assertEquals(Util.sha256(img), Util.sha256(out.resolve("web.img")));
    }

    @Test
    @DisplayName(
            "passwd replaces the password given: the old one no longer opens, the new one does, from the environment too")
    void passwd() throws IOException {
        String old = current(keys(first));
        Cairn.Result changed = cairn.run(
                        "key",
                        "passwd",
                        "--repo",
                        repo.toString(),
                        "--password-file",
                        first.toString(),
                        "--new-password-file",
                        third.toString())
                .ok();
        assertTrue(
                changed.out().startsWith("changed the password: key " + old + " replaced by key "), changed::describe);
        cairn.run("list", "--repo", repo.toString(), "--password-file", first.toString())
                .expectFailure(1, "list", "wrong password");
        JsonNode now = cairn.run(
                        Map.of("CAIRN_PASSWORD", "third password"), "key", "list", "--repo", repo.toString(), "--json")
                .ok()
                .json();
        assertEquals(1, now.size(), now.toString());
        assertFalse(current(now).equals(old));
    }

    @Test
    @DisplayName("remove: another key goes; the key in use, the last key and an unknown id are refused in one line")
    void remove() {
        String mine = current(keys(first));
        String other = id(
                cairn.run(
                                "key",
                                "add",
                                "--repo",
                                repo.toString(),
                                "--password-file",
                                first.toString(),
                                "--new-password-file",
                                second.toString())
                        .ok(),
                "added key ");
        cairn.run("key", "remove", "--repo", repo.toString(), "--password-file", first.toString(), mine)
                .expectFailure(1, "key remove", "is the one your password opens", "cairn key passwd");
        cairn.run("key", "remove", "--repo", repo.toString(), "--password-file", first.toString(), "0123456789abcdef")
                .expectFailure(1, "key remove", "has no key 0123456789abcdef");
        assertEquals(
                "removed key " + other,
                cairn.run("key", "remove", "--repo", repo.toString(), "--password-file", first.toString(), other)
                        .ok()
                        .out()
                        .strip());
        cairn.run("list", "--repo", repo.toString(), "--password-file", second.toString())
                .expectFailure(1, "list", "wrong password");
        assertEquals(1, keys(first).size());
    }

    @Test
    @DisplayName("new passwords never come from argv: without --new-password-file and a terminal, add says so")
    void noTerminal() {
        cairn.run("key", "add", "--repo", repo.toString(), "--password-file", first.toString())
                .expectFailure(1, "key add", "--new-password-file");
        cairn.run("key", "add", "--repo", repo.toString(), "--password-file", first.toString(), "--new-password", "x")
                .expectExit(2);
        assertEquals(1, keys(first).size());
    }

    @Test
    @DisplayName(
            "a password offered to a plaintext repository (file or CAIRN_PASSWORD) is refused; without one it opens")
    void offeredToPlaintext() {
        Path plain = dir.resolve("plain");
        cairn.init(plain);
        cairn.backup(plain, img);
        cairn.run("list", "--repo", plain.toString(), "--password-file", first.toString())
                .expectFailure(1, "list", "is not encrypted, yet a password was given");
        cairn.run(Map.of("CAIRN_PASSWORD", "first password"), Cairn.backupArgs(plain, img))
                .expectFailure(1, "backup", "is not encrypted, yet a password was given");
        cairn.run("key", "list", "--repo", plain.toString()).expectFailure(2, "key list", "is not encrypted");
        assertEquals(1, cairn.listIds(plain).size(), "nothing was written by the refused backup");
    }
}
