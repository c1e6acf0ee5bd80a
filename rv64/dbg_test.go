package rv64_test

import (
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/xv6emu/xv6emu/machine/bare"
)

func TestDebugTrace(t *testing.T) {
	f := os.Getenv("DBG_ELF")
	if f == "" {
		t.Skip()
	}
	b, err := bare.Load(f, os.Stdout)
	if err != nil {
		t.Fatal(err)
	}
	var ring [64]string
	n := 0
	stop, _ := strconv.ParseUint(os.Getenv("DBG_STOP"), 16, 64)
	stopped := false
	b.Hart.Trace = func(pc uint64, insn uint32, rd int, v uint64) {
		if pc == stop || stopped {
			stopped = true
			return
		}
		ring[n%64] = fmt.Sprintf("%x %08x rd=%d v=%x priv=%d", pc, insn, rd, v, b.Hart.Priv())
		n++
	}
	res, err := b.Run(200000)
	fmt.Println(res, err)
	for i := 0; i < 64; i++ {
		fmt.Println(ring[(n+i)%64])
	}
}
