package gdbstub

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestI386Description(t *testing.T) {
	var doc struct {
		Arch     string `xml:"architecture"`
		Features []struct {
			Name string `xml:"name,attr"`
			Regs []struct {
				Name  string `xml:"name,attr"`
				Bits  int    `xml:"bitsize,attr"`
				Num   int    `xml:"regnum,attr"`
				Type  string `xml:"type,attr"`
				Group string `xml:"group,attr"`
			} `xml:"reg"`
		} `xml:"feature"`
	}
	require.NoError(t, xml.Unmarshal([]byte(I386.XML), &doc))
	assert.Equal(t, "i386", doc.Arch)
	require.Len(t, doc.Features, 2)
	assert.Equal(t, "org.gnu.gdb.i386.core", doc.Features[0].Name)
	var names []string
	n := 0
	for _, f := range doc.Features {
		for _, r := range f.Regs {
			assert.Equal(t, n, r.Num, r.Name)
			assert.Equal(t, 8*I386.size(r.Num), r.Bits, r.Name)
			names = append(names, r.Name)
			n++
		}
	}
	assert.Equal(t, I386.Regs, n)
	// gdb's i386 numbering: what the g packet and p/P use.
	assert.Equal(t, "eax ecx edx ebx esp ebp esi edi eip eflags cs ss ds es fs gs", strings.Join(names[:16], " "))
	assert.Equal(t, "eip", names[I386EIP])
	assert.Equal(t, "st0", names[I386FirstX87])
	assert.Equal(t, "fop", names[I386FirstCR-1])
	assert.Equal(t, "cr3", names[I386FirstCR+2])
}

// i386Fake is a one-CPU target with I386's registers; the x87 ones are
// unavailable, as on a CPU without an FPU.
type i386Fake struct {
	fakeTarget
	r [i386Regs]uint64
}

func (f *i386Fake) Arch() *Arch  { return I386 }
func (f *i386Fake) Threads() int { return 1 }
func (f *i386Fake) ReadReg(t, r int) (uint64, bool) {
	return f.r[r], r < I386FirstX87 || r >= I386FirstCR
}
func (f *i386Fake) WriteReg(t, r int, v uint64) bool { f.r[r] = v; return true }

func TestI386RegisterPackets(t *testing.T) {
	f := &i386Fake{fakeTarget: *newFake()}
	for i := range f.r {
		f.r[i] = uint64(0x11111111 * (i%15 + 1))
	}
	s := New(f)
	require.NoError(t, s.Listen("tcp:127.0.0.1:0"))
	go s.Run(true)
	defer s.Quit()
	c := dial(t, s)

	g := c.ask("g")
	require.Len(t, g, 16*8)
	assert.Equal(t, "99999999", g[8*8:9*8], "eip, register 8")
	assert.Equal(t, "11111111", g[:8])
	assert.Equal(t, strings.Repeat("xx", 10), c.ask("p10"), "st0 is 10 bytes, unavailable")
	assert.Equal(t, "E01", c.ask("P10=00000000000000000000"), "too wide to write")
	assert.Equal(t, "33333333", c.ask("p20"), "cr0 (register 32)")
	assert.Equal(t, "OK", c.ask("P8=78563412"))
	assert.Equal(t, uint64(0x12345678), f.r[I386EIP])

	// G writes the core registers, 4 bytes each.
	regs := []byte(g)
	copy(regs[0:8], "efbeadde")
	assert.Equal(t, "OK", c.ask("G"+string(regs)))
	assert.Equal(t, uint64(0xdeadbeef), f.r[0])
}
