// Package recent holds a bounded map of the entries used most lately.
package recent

// Cache keeps the entries put or touched lately in two generations: an
// entry is found in either, and when the current generation is full it
// becomes the old one, dropping the one before. So at least Keep and at
// most twice Keep entries stay, the most recently put among them, at the
// cost of two map lookups and no per-entry bookkeeping. The zero Cache is
// empty and keeps 8192 entries. A Cache is not safe for concurrent use.
type Cache[K comparable, V any] struct {
	// Keep is how many entries the cache keeps at least (default 8192).
	Keep     int
	cur, old map[K]V
}

func (c *Cache[K, V]) keep() int {
	if c.Keep > 0 {
		return c.Keep
	}
	return 8192
}

// Get returns the entry of k, if kept.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	if v, ok := c.cur[k]; ok {
		return v, true
	}
	v, ok := c.old[k]
	return v, ok
}

// Put keeps v as k's entry, in the current generation.
func (c *Cache[K, V]) Put(k K, v V) {
	if c.cur == nil {
		c.cur = make(map[K]V)
	}
	if _, ok := c.cur[k]; !ok && len(c.cur) >= c.keep() {
		c.old, c.cur = c.cur, make(map[K]V, c.keep())
	}
	c.cur[k] = v
	delete(c.old, k)
}

// Delete forgets k's entry.
func (c *Cache[K, V]) Delete(k K) {
	delete(c.cur, k)
	delete(c.old, k)
}

// Reset forgets every entry.
func (c *Cache[K, V]) Reset() { c.cur, c.old = nil, nil }

// Len is how many entries are kept.
func (c *Cache[K, V]) Len() int { return len(c.cur) + len(c.old) }
