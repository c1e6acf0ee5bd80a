package rv64

import (
	"encoding/binary"
	"testing"
)

// idleScanWords builds word checks shaped like those of MIT xv6's idle
// scheduler: a lock word and a state word in each of 64 process slots
// 0x178 bytes apart, and a few stack and per-CPU words, about the 200 a
// found cycle holds in usertests.
func idleScanWords(ram []byte) []wordCheck {
	var words []wordCheck
	add := func(idx, mask uint64) {
		words = append(words, wordCheck{idx: idx, mask: mask, want: binary.LittleEndian.Uint64(ram[idx:]) & mask})
	}
	for p := range uint64(64) {
		base := 0x10000 + p*0x178
		add(base&^7, 0xffffffff)
		add((base+0x18)&^7, 0xffffffff)
		add((base+0x20)&^7, ^uint64(0))
	}
	for i := range uint64(8) {
		add(0x80000+8*i, ^uint64(0))
	}
	return words
}

// BenchmarkWordsHold is the re-check a stopped hart makes at the start of
// every Run (cycleStillHolds): millions of times in a long test.
func BenchmarkWordsHold(b *testing.B) {
	ram := make([]byte, 1<<20)
	for i := range ram {
		ram[i] = byte(i * 7)
	}
	words := idleScanWords(ram)
	if !wordsHold(ram, words) {
		b.Fatal("the words do not hold")
	}
	for b.Loop() {
		if !wordsHold(ram, words) {
			b.Fatal("the words stopped holding")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(words)), "ns/word")
}

// TestWordsHoldSeesEveryWord changes each checked byte in turn, for
// check lists of every length around the unrolled stride, and expects
// wordsHold to notice; a change outside a mask must go unnoticed.
func TestWordsHoldSeesEveryWord(t *testing.T) {
	ram := make([]byte, 4096)
	for i := range ram {
		ram[i] = byte(i*13 + 1)
	}
	for n := range 20 {
		words := make([]wordCheck, n)
		for i := range words {
			idx := uint64(64 * i)
			mask := uint64(0x00ff00ff00ff00ff) << (i % 2 * 8)
			words[i] = wordCheck{idx: idx, mask: mask, want: binary.LittleEndian.Uint64(ram[idx:]) & mask}
		}
		if !wordsHold(ram, words) {
			t.Fatalf("%d words: unchanged RAM does not hold", n)
		}
		for i, w := range words {
			for b := range uint64(8) {
				covered := w.mask>>(8*b)&0xff != 0
				ram[w.idx+b] ^= 0x10
				if got := wordsHold(ram, words); got == covered {
					t.Errorf("%d words: byte %d of word %d changed (covered %v): holds %v", n, b, i, covered, got)
				}
				ram[w.idx+b] ^= 0x10
			}
		}
	}
}
