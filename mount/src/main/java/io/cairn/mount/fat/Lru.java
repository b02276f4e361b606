package io.cairn.mount.fat;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.function.ToLongFunction;

/**
 * A least-recently-used map bounded by the total weight of its values (an entry count, or e.g.
 * the entries of cached directory listings, so a volume full of huge directories cannot fill the
 * heap). The most recently put value is kept even if it alone exceeds the bound. Every method is
 * synchronized on the instance.
 */
final class Lru<K, V> {
    private final LinkedHashMap<K, V> map = new LinkedHashMap<>(16, 0.75f, true);
    private final long maxWeight;
    private final ToLongFunction<V> weigher;
    private long weight;

    /** At most {@code capacity} entries. */
    Lru(int capacity) {
        this(capacity, v -> 1);
    }

    /** At most {@code maxWeight} total weight; weights must not change while cached. */
    Lru(long maxWeight, ToLongFunction<V> weigher) {
        this.maxWeight = maxWeight;
        this.weigher = weigher;
    }

    synchronized V get(K key) {
        return map.get(key);
    }

    synchronized void put(K key, V value) {
        V old = map.put(key, value);
        if (old != null) {
            weight -= weigher.applyAsLong(old);
        }
        weight += weigher.applyAsLong(value);
        evict();
    }

    /** The cached value, or {@code value} after caching it when none was cached. */
    synchronized V putIfAbsent(K key, V value) {
        V old = map.get(key);
        if (old != null) {
            return old;
        }
        put(key, value);
        return value;
    }

    private void evict() {
        Iterator<V> eldestFirst = map.values().iterator();
        while (weight > maxWeight && map.size() > 1) {
            weight -= weigher.applyAsLong(eldestFirst.next());
            eldestFirst.remove();
        }
    }
}
