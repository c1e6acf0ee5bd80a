//go:build !linux

package bus

func newRAM(_ *Bus, size uint64) []byte { return make([]byte, size) }

// Close lets the RAM go. Neither the Bus nor anything holding its RAM (a
// CPU) may be used afterwards.
func (b *Bus) Close() { b.RAM = nil }
