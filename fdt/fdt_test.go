package fdt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dnode is a decoded node: the test's own reading of a DTB, written from
// the format description, independent of the encoder.
type dnode struct {
	name     string
	props    map[string][]byte
	order    []string
	children []*dnode
}

type decoded struct {
	root         *dnode
	reservations [][2]uint64
	bootCPU      uint32
	version      uint32
}

func decode(t *testing.T, b []byte) *decoded {
	t.Helper()
	be := binary.BigEndian
	require.GreaterOrEqual(t, len(b), 40)
	require.Equal(t, uint32(0xd00dfeed), be.Uint32(b[0:]))
	total, offStruct, offStrings, offRsv := be.Uint32(b[4:]), be.Uint32(b[8:]), be.Uint32(b[12:]), be.Uint32(b[16:])
	sizeStrings, sizeStruct := be.Uint32(b[32:]), be.Uint32(b[36:])
	require.Equal(t, uint32(len(b)), total, "totalsize")
	require.Zero(t, offRsv%8, "reservation block is 8-aligned")
	require.Zero(t, offStruct%4, "structure block is 4-aligned")
	require.LessOrEqual(t, offStruct+sizeStruct, offStrings)
	require.LessOrEqual(t, offStrings+sizeStrings, total)
	d := &decoded{bootCPU: be.Uint32(b[28:]), version: be.Uint32(b[20:])}
	assert.Equal(t, uint32(16), be.Uint32(b[24:]), "last_comp_version")

	for off := offRsv; ; off += 16 {
		a, s := be.Uint64(b[off:]), be.Uint64(b[off+8:])
		if a == 0 && s == 0 {
			break
		}
		d.reservations = append(d.reservations, [2]uint64{a, s})
	}

	str := b[offStrings : offStrings+sizeStrings]
	st := b[offStruct : offStruct+sizeStruct]
	pos := 0
	word := func() uint32 {
		v := be.Uint32(st[pos:])
		pos += 4
		return v
	}
	cstring := func(p []byte) string {
		i := bytes.IndexByte(p, 0)
		require.GreaterOrEqual(t, i, 0, "unterminated string")
		return string(p[:i])
	}
	align := func() { pos = (pos + 3) &^ 3 }

	var stack []*dnode
	for {
		switch tok := word(); tok {
		case 1:
			n := &dnode{name: cstring(st[pos:]), props: map[string][]byte{}}
			pos += len(n.name) + 1
			align()
			if len(stack) == 0 {
				require.Nil(t, d.root, "two roots")
				d.root = n
			} else {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			}
			stack = append(stack, n)
		case 2:
			require.NotEmpty(t, stack)
			stack = stack[:len(stack)-1]
		case 3:
			require.NotEmpty(t, stack)
			length, nameOff := word(), word()
			name := cstring(str[nameOff:])
			n := stack[len(stack)-1]
			n.props[name] = append([]byte{}, st[pos:pos+int(length)]...)
			n.order = append(n.order, name)
			pos += int(length)
			align()
		case 4: // NOP
		case 9:
			require.Empty(t, stack, "unbalanced nodes")
			require.Equal(t, len(st), pos, "data after FDT_END")
			return d
		default:
			t.Fatalf("bad token %d at %d", tok, pos-4)
		}
	}
}

func (n *dnode) child(name string) *dnode {
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

// path finds a node by slash-separated path from the root.
func (d *decoded) path(t *testing.T, p string) *dnode {
	t.Helper()
	n := d.root
	for _, part := range strings.Split(strings.Trim(p, "/"), "/") {
		if part == "" {
			continue
		}
		n = n.child(part)
		require.NotNil(t, n, "no node %s", p)
	}
	return n
}

func cells(v []byte) []uint32 {
	out := make([]uint32, len(v)/4)
	for i := range out {
		out[i] = binary.BigEndian.Uint32(v[4*i:])
	}
	return out
}

func strs(v []byte) []string {
	return strings.Split(strings.TrimSuffix(string(v), "\x00"), "\x00")
}

func TestRoundTrip(t *testing.T) {
	tr := New()
	tr.BootCPU = 2
	tr.Reserve(0x80000000, 0x200000)
	tr.Reserve(0x87000000, 0x1000)
	root := tr.Root
	root.U32("#address-cells", 2)
	root.String("model", "odd-length")
	a := root.AddNode("a@1000")
	a.U64("reg", 0x1000, 0x20)
	a.Strings("compatible", "x,one", "x,two")
	a.Empty("flag")
	a.Bytes("blob", []byte{1, 2, 3, 4, 5})
	b := root.AddNode("b")
	ph := b.Phandle()
	assert.Equal(t, ph, b.Phandle(), "phandle is assigned once")
	a.U32("ref", ph)
	a.AddNode("deep").U32("v", 7)
	root.U32("#address-cells", 1) // replaces in place

	d := decode(t, tr.Bytes())
	assert.Equal(t, uint32(17), d.version)
	assert.Equal(t, uint32(2), d.bootCPU)
	assert.Equal(t, [][2]uint64{{0x80000000, 0x200000}, {0x87000000, 0x1000}}, d.reservations)
	assert.Equal(t, "", d.root.name)
	assert.Equal(t, []string{"#address-cells", "model"}, d.root.order)
	assert.Equal(t, []uint32{1}, cells(d.root.props["#address-cells"]))
	assert.Equal(t, "odd-length\x00", string(d.root.props["model"]))

	an := d.path(t, "/a@1000")
	assert.Equal(t, []uint32{0, 0x1000, 0, 0x20}, cells(an.props["reg"]))
	assert.Equal(t, []string{"x,one", "x,two"}, strs(an.props["compatible"]))
	assert.Empty(t, an.props["flag"])
	assert.Contains(t, an.props, "flag")
	assert.Equal(t, []byte{1, 2, 3, 4, 5}, an.props["blob"])
	assert.Equal(t, []uint32{ph}, cells(an.props["ref"]))
	assert.Equal(t, []uint32{7}, cells(d.path(t, "/a@1000/deep").props["v"]))
	assert.Equal(t, []uint32{1}, cells(d.path(t, "/b").props["phandle"]))
	assert.Equal(t, []string{"a@1000", "b"}, []string{d.root.children[0].name, d.root.children[1].name})
}

func TestStringsAreShared(t *testing.T) {
	tr := New()
	for i := 0; i < 10; i++ {
		tr.Root.AddNode(fmt.Sprintf("n%d", i)).String("compatible", "c").U32("reg", uint32(i))
	}
	b := tr.Bytes()
	sizeStrings := binary.BigEndian.Uint32(b[32:])
	assert.Equal(t, uint32(len("compatible\x00reg\x00")), sizeStrings)
}

func TestEmptyTree(t *testing.T) {
	d := decode(t, New().Bytes())
	assert.Empty(t, d.root.children)
	assert.Empty(t, d.reservations)
}

func TestGetAndChild(t *testing.T) {
	tr := New()
	n := tr.Root.AddNode("x")
	n.U32("v", 3)
	assert.Same(t, n, tr.Root.Child("x"))
	assert.Nil(t, tr.Root.Child("y"))
	v, ok := n.Get("v")
	assert.True(t, ok)
	assert.Equal(t, []byte{0, 0, 0, 3}, v)
	_, ok = n.Get("w")
	assert.False(t, ok)
	assert.Equal(t, "x", n.Name())
}

func TestBytesCopiesBlob(t *testing.T) {
	blob := []byte{9, 9}
	tr := New()
	tr.Root.Bytes("b", blob)
	blob[0] = 0
	v, _ := tr.Root.Get("b")
	assert.Equal(t, []byte{9, 9}, v)
}

func TestNULInNamePanics(t *testing.T) {
	tr := New()
	tr.Root.AddNode("bad\x00name")
	assert.Panics(t, func() { tr.Bytes() })
}

func TestVirtTree(t *testing.T) {
	tr, err := VirtTree(VirtConfig{Harts: 3, RAMSize: 128 << 20, Bootargs: "console=ttyS0"})
	require.NoError(t, err)
	blob := tr.Bytes()
	d := decode(t, blob)

	assert.Equal(t, []string{"riscv-virtio"}, strs(d.root.props["compatible"]))
	assert.Equal(t, []uint32{2}, cells(d.root.props["#address-cells"]))
	chosen := d.path(t, "/chosen")
	assert.Equal(t, []string{"/soc/serial@10000000"}, strs(chosen.props["stdout-path"]))
	assert.Equal(t, []string{"console=ttyS0"}, strs(chosen.props["bootargs"]))
	assert.Equal(t, []uint32{0, 0x80000000, 0, 128 << 20}, cells(d.path(t, "/memory@80000000").props["reg"]))

	cpus := d.path(t, "/cpus")
	assert.Equal(t, []uint32{10000000}, cells(cpus.props["timebase-frequency"]))
	intc := map[uint32]int{} // phandle -> hart
	for h := 0; h < 3; h++ {
		cpu := d.path(t, fmt.Sprintf("/cpus/cpu@%d", h))
		assert.Equal(t, []uint32{uint32(h)}, cells(cpu.props["reg"]))
		assert.Equal(t, []string{DefaultISA}, strs(cpu.props["riscv,isa"]))
		assert.Equal(t, []string{"riscv,sv39"}, strs(cpu.props["mmu-type"]))
		assert.Equal(t, []string{"okay"}, strs(cpu.props["status"]))
		ic := cpu.child("interrupt-controller")
		require.NotNil(t, ic)
		assert.Equal(t, []string{"riscv,cpu-intc"}, strs(ic.props["compatible"]))
		intc[cells(ic.props["phandle"])[0]] = h
		core := d.path(t, fmt.Sprintf("/cpus/cpu-map/cluster0/core%d", h))
		assert.Equal(t, cells(cpu.props["phandle"]), cells(core.props["cpu"]))
	}
	require.Len(t, intc, 3, "distinct interrupt controller phandles")

	plic := d.path(t, "/soc/plic@c000000")
	plicPh := cells(plic.props["phandle"])
	assert.Equal(t, []uint32{96}, cells(plic.props["riscv,ndev"]))
	assert.Equal(t, []uint32{0, 0xc000000, 0, 0x600000}, cells(plic.props["reg"]))
	ext := cells(plic.props["interrupts-extended"])
	require.Len(t, ext, 12)
	for h := 0; h < 3; h++ {
		assert.Equal(t, h, intc[ext[4*h]])
		assert.Equal(t, []uint32{11, 9}, []uint32{ext[4*h+1], ext[4*h+3]}, "M then S external for hart %d", h)
		assert.Equal(t, ext[4*h], ext[4*h+2])
	}

	clint := d.path(t, "/soc/clint@2000000")
	assert.Equal(t, []uint32{0, 0x2000000, 0, 0x10000}, cells(clint.props["reg"]))
	ext = cells(clint.props["interrupts-extended"])
	require.Len(t, ext, 12)
	for h := 0; h < 3; h++ {
		assert.Equal(t, h, intc[ext[4*h]])
		assert.Equal(t, []uint32{3, 7}, []uint32{ext[4*h+1], ext[4*h+3]}, "M soft then M timer for hart %d", h)
	}

	uart := d.path(t, "/soc/serial@10000000")
	assert.Equal(t, []string{"ns16550a"}, strs(uart.props["compatible"]))
	assert.Equal(t, []uint32{10}, cells(uart.props["interrupts"]))
	assert.Equal(t, plicPh, cells(uart.props["interrupt-parent"]))
	assert.Equal(t, []uint32{3686400}, cells(uart.props["clock-frequency"]))

	vio := d.path(t, "/soc/virtio_mmio@10001000")
	assert.Equal(t, []uint32{1}, cells(vio.props["interrupts"]))
	assert.Equal(t, plicPh, cells(vio.props["interrupt-parent"]))
	assert.Equal(t, []uint32{0, 0x10001000, 0, 0x1000}, cells(vio.props["reg"]))

	test := d.path(t, "/soc/test@100000")
	assert.Equal(t, []string{"sifive,test1", "sifive,test0", "syscon"}, strs(test.props["compatible"]))
	po := d.path(t, "/poweroff")
	assert.Equal(t, cells(test.props["phandle"]), cells(po.props["regmap"]))
	assert.Equal(t, []uint32{0x5555}, cells(po.props["value"]))
	assert.Equal(t, []uint32{0x7777}, cells(d.path(t, "/reboot").props["value"]))

	// Same config, same bytes.
	again, err := VirtTree(VirtConfig{Harts: 3, RAMSize: 128 << 20, Bootargs: "console=ttyS0"})
	require.NoError(t, err)
	assert.Equal(t, blob, again.Bytes())
}

func TestVirtTreeSlotsAndDefaults(t *testing.T) {
	tr, err := VirtTree(VirtConfig{Harts: 1, RAMBase: 0x40000000, RAMSize: 1 << 30, VirtioSlots: 8, ISA: "rv64imac", PLICSources: 95})
	require.NoError(t, err)
	d := decode(t, tr.Bytes())
	soc := d.path(t, "/soc")
	for i := 0; i < 8; i++ {
		n := soc.child(fmt.Sprintf("virtio_mmio@%x", 0x10001000+0x1000*i))
		require.NotNil(t, n, "slot %d", i)
		assert.Equal(t, []uint32{uint32(1 + i)}, cells(n.props["interrupts"]))
	}
	assert.Nil(t, soc.child("virtio_mmio@10009000"))
	assert.Nil(t, d.path(t, "/chosen").props["bootargs"])
	assert.Equal(t, []string{"rv64imac"}, strs(d.path(t, "/cpus/cpu@0").props["riscv,isa"]))
	assert.Equal(t, []uint32{95}, cells(d.path(t, "/soc/plic@c000000").props["riscv,ndev"]))
	assert.NotNil(t, d.root.child("memory@40000000"))
}

func TestVirtTreeErrors(t *testing.T) {
	_, err := VirtTree(VirtConfig{Harts: 0, RAMSize: 1 << 20})
	assert.Error(t, err)
	_, err = VirtTree(VirtConfig{Harts: 1})
	assert.Error(t, err)
}
