package bus

import "testing"

// A Bus may get the RAM of one closed before it, even of a larger one: it
// must read zero everywhere all the same, pages the last guest touched and
// pages it did not, and a larger Bus after a smaller one must not see what
// an earlier larger one left past the smaller one's end.
func TestReusedRAMIsZeroed(t *testing.T) {
	pool.mu.Lock()
	pool.free = nil // so the sizes below are the only ones to reuse
	pool.mu.Unlock()
	for _, size := range []int{6 << 20, 2 << 20, 6 << 20, 2 << 20, 6 << 20} {
		b := New(0x80000000, uint64(size))
		if len(b.RAM) != size {
			t.Fatalf("RAM is %d bytes, want %d", len(b.RAM), size)
		}
		for off, v := range b.RAM {
			if v != 0 {
				t.Fatalf("%d MiB bus: byte at %#x is %#x, not zero", size>>20, off, v)
			}
		}
		for off := 0; off < size*2/3; off += 4096 {
			b.RAM[off+off/4096%4096] = 0x5A // two thirds of it, one byte a page
		}
		b.Close()
	}
	pool.mu.Lock()
	defer pool.mu.Unlock()
	if len(pool.free) != 1 {
		t.Errorf("%d mappings pooled, want the one every bus shared", len(pool.free))
	}
}
