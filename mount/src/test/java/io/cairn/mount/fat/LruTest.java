package io.cairn.mount.fat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Lru")
class LruTest {

    @Test
    @DisplayName("evicts least recently used values until the total weight fits")
    void evictsByWeight() {
        Lru<String, String> lru = new Lru<>(10, String::length);
        lru.put("a", "xxxx");
        lru.put("b", "xxxx");
        lru.get("a"); // b is now the eldest
        lru.put("c", "xxxx");
        assertNull(lru.get("b"));
        assertEquals("xxxx", lru.get("a"));
        assertEquals("xxxx", lru.get("c"));
    }

    @Test
    @DisplayName("keeps the newest value even when it alone is too heavy")
    void keepsNewest() {
        Lru<String, String> lru = new Lru<>(3, String::length);
        lru.put("a", "x");
        lru.put("big", "xxxxxxxx");
        assertNull(lru.get("a"));
        assertEquals("xxxxxxxx", lru.get("big"));
        assertEquals("xxxxxxxx", lru.putIfAbsent("big", "other"));
    }
}
