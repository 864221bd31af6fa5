package recent

import "testing"

func TestCacheKeepsTheMostRecentlyPut(t *testing.T) {
	c := Cache[int, string]{Keep: 3}
	for i := range 5 {
		c.Put(i, "v")
	}
	// 0,1,2 filled the first generation; 3 made it old; 4 joined 3.
	if c.Len() != 5 {
		t.Fatalf("len %d, want 5", c.Len())
	}
	c.Put(1, "w") // moves to the current generation: {3 4 1}, old {0 2}
	c.Put(5, "v") // rolls: {5}, old {3 4 1}; 0 and 2 are gone
	c.Put(6, "v")
	for _, k := range []int{1, 5, 6} {
		if _, ok := c.Get(k); !ok {
			t.Errorf("%d was put lately and is gone", k)
		}
	}
	if v, _ := c.Get(1); v != "w" {
		t.Errorf("1 = %q, want the newer value w", v)
	}
	for _, k := range []int{0, 2} {
		if _, ok := c.Get(k); ok {
			t.Errorf("%d is kept after two generations went by", k)
		}
	}
	if c.Len() > 2*3 {
		t.Errorf("len %d, more than twice Keep", c.Len())
	}
	c.Delete(1)
	if _, ok := c.Get(1); ok {
		t.Error("1 is kept after Delete")
	}
	c.Reset()
	if c.Len() != 0 {
		t.Errorf("len %d after Reset", c.Len())
	}
}
