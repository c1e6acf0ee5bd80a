package pcfw

import (
	"bytes"
	"encoding/binary"
	"testing"
)

var le = binary.LittleEndian

func sum(b []byte) byte {
	var s byte
	for _, x := range b {
		s += x
	}
	return s
}

// search1 is a kernel's scan for the floating pointer: 16-byte aligned,
// signature and checksum.
func search1(ram []byte, a, n int) int {
	for p := a; p+16 <= a+n; p += 16 {
		if bytes.Equal(ram[p:p+4], []byte("_MP_")) && sum(ram[p:p+16]) == 0 {
			return p
		}
	}
	return -1
}

// mpsearch follows classic xv6: the EBDA from BDA 0x40E, else the last KiB
// of base memory from 0x413, then the BIOS ROM.
func mpsearch(ram []byte) int {
	if seg := int(le.Uint16(ram[0x40E:])); seg != 0 {
		if p := search1(ram, seg<<4, 1024); p >= 0 {
			return p
		}
	} else if kib := int(le.Uint16(ram[0x413:])); kib != 0 {
		if p := search1(ram, kib*1024-1024, 1024); p >= 0 {
			return p
		}
	}
	return search1(ram, 0xF0000, 0x10000)
}

type parsed struct {
	apicids  []int
	bsp      int
	ioapicid int
	lapic    uint32
	irqPins  map[int]int
}

// parse reads the table the way xv6's mpinit does, failing on anything a
// kernel would reject.
func parse(t *testing.T, ram []byte) parsed {
	t.Helper()
	fp := mpsearch(ram)
	if fp < 0 {
		t.Fatal("no MP floating pointer found")
	}
	conf := int(le.Uint32(ram[fp+4:]))
	if conf == 0 || ram[fp+9] != 4 && ram[fp+9] != 1 {
		t.Fatalf("floating pointer: table %#x, version %d", conf, ram[fp+9])
	}
	if string(ram[conf:conf+4]) != "PCMP" {
		t.Fatalf("no PCMP signature at %#x", conf)
	}
	n := int(le.Uint16(ram[conf+4:]))
	if v := ram[conf+6]; v != 1 && v != 4 {
		t.Fatalf("table version %d", v)
	}
	if sum(ram[conf:conf+n]) != 0 {
		t.Fatal("table checksum wrong")
	}
	p := parsed{bsp: -1, ioapicid: -1, lapic: le.Uint32(ram[conf+36:]), irqPins: map[int]int{}}
	count := int(le.Uint16(ram[conf+34:]))
	e := conf + 44
	for i := 0; i < count; i++ {
		switch ram[e] {
		case MPProcessor:
			p.apicids = append(p.apicids, int(ram[e+1]))
			if ram[e+3]&2 != 0 {
				p.bsp = int(ram[e+1])
			}
			e += 20
		case MPIOAPIC:
			p.ioapicid = int(ram[e+1])
			if le.Uint32(ram[e+4:]) != IOAPICBase {
				t.Errorf("I/O APIC at %#x", le.Uint32(ram[e+4:]))
			}
			e += 8
		case MPIOIntr:
			if int(ram[e+6]) != p.ioapicid {
				t.Errorf("interrupt entry to I/O APIC %d", ram[e+6])
			}
			p.irqPins[int(ram[e+5])] = int(ram[e+7])
			e += 8
		case MPBus, MPLocalIntr:
			e += 8
		default:
			t.Fatalf("entry %d: unknown type %d", i, ram[e])
		}
	}
	if e != conf+n {
		t.Fatalf("entries end at %#x, table at %#x", e, conf+n)
	}
	return p
}

func TestMPTableAsXv6Reads(t *testing.T) {
	ram := make([]byte, 1<<20)
	if err := Write(ram, MP{CPUs: 3, IOAPICID: 3}); err != nil {
		t.Fatal(err)
	}
	p := parse(t, ram)
	if len(p.apicids) != 3 || p.apicids[0] != 0 || p.apicids[2] != 2 || p.bsp != 0 {
		t.Errorf("processors %v, bsp %d", p.apicids, p.bsp)
	}
	if p.ioapicid != 3 || p.lapic != LAPICBase {
		t.Errorf("ioapic id %d, lapic %#x", p.ioapicid, p.lapic)
	}
	if p.irqPins[1] != 1 || p.irqPins[4] != 4 || p.irqPins[14] != 14 || p.irqPins[0] != 2 {
		t.Errorf("irq routing %v", p.irqPins)
	}
	if le.Uint16(ram[0x413:]) != 639 {
		t.Error("base memory word")
	}
	if search1(ram, 0xF0000, 0x10000) != 0xF0000 {
		t.Error("no copy in the BIOS area")
	}
	// A kernel that only knows the BIOS area finds the same table.
	clear(ram[0x400:0x500])
	if parse(t, ram).ioapicid != 3 {
		t.Error("ROM copy leads elsewhere")
	}
}

func TestWriteRejects(t *testing.T) {
	if Write(make([]byte, 1<<20), MP{CPUs: 0}) == nil {
		t.Error("0 CPUs accepted")
	}
	if Write(make([]byte, 0x80000), MP{CPUs: 1}) == nil {
		t.Error("RAM without the BIOS area accepted")
	}
}

func header(flags uint32, extra ...uint32) []byte {
	h := make([]byte, 12)
	le.PutUint32(h, MultibootMagic)
	le.PutUint32(h[4:], flags)
	le.PutUint32(h[8:], -(MultibootMagic + flags))
	for _, x := range extra {
		h = le.AppendUint32(h, x)
	}
	return h
}

func TestFindHeader(t *testing.T) {
	img := append(make([]byte, 4096), header(3)...)
	h, err := FindHeader(img)
	if err != nil || h.Offset != 4096 || h.Flags != 3 {
		t.Errorf("header %+v, %v", h, err)
	}
	bad := append(make([]byte, 64), header(0)...)
	bad[64+8]++ // checksum
	if _, err := FindHeader(bad); err != ErrNoMultiboot {
		t.Errorf("bad checksum: %v", err)
	}
	if _, err := FindHeader(append(make([]byte, 8192), header(0)...)); err != ErrNoMultiboot {
		t.Error("header beyond 8 KiB found")
	}
	if _, err := FindHeader(header(1 << 5)); err == nil {
		t.Error("unknown required feature accepted")
	}
}

func TestLoadAOut(t *testing.T) {
	// A flat binary linked at 0x100000 with its header at offset 16.
	img := append(bytes.Repeat([]byte{0xAA}, 16), header(1<<16, 0x100010, 0x100000, 0, 0x100100, 0x100020)...)
	img = append(img, bytes.Repeat([]byte{0xCC}, 20)...)
	h, err := FindHeader(img)
	if err != nil {
		t.Fatal(err)
	}
	ram := bytes.Repeat([]byte{0x55}, 2<<20)
	entry, err := h.LoadAOut(img, ram)
	if err != nil || entry != 0x100020 {
		t.Fatalf("entry %#x, %v", entry, err)
	}
	if !bytes.Equal(ram[0x100000:0x100000+len(img)], img) || ram[0x100000+len(img)] != 0 || ram[0x1000FF] != 0 || ram[0x100100] != 0x55 {
		t.Error("image or bss wrong")
	}
	h.BSSEndAddr = 4 << 20
	if _, err := h.LoadAOut(img, ram); err == nil {
		t.Error("bss beyond RAM accepted")
	}
}

func TestWriteInfo(t *testing.T) {
	ram := make([]byte, 1<<20)
	addr, err := WriteInfo(ram, 512<<20, "kernel")
	if err != nil {
		t.Fatal(err)
	}
	info := ram[addr:]
	if f := le.Uint32(info); f&InfoFlagMem == 0 || f&InfoFlagMmap == 0 {
		t.Fatalf("flags %#x", f)
	}
	if lo, hi := le.Uint32(info[4:]), le.Uint32(info[8:]); lo != 639 || hi != 511*1024-128 {
		t.Errorf("mem_lower %d mem_upper %d", lo, hi)
	}
	cmd := le.Uint32(info[16:])
	if got := string(ram[cmd : cmd+7]); got != "kernel\x00" {
		t.Errorf("cmdline %q", got)
	}
	n, p := le.Uint32(info[44:]), le.Uint32(info[48:])
	var total uint64
	for q := p; q < p+n; q += le.Uint32(ram[q:]) + 4 {
		if le.Uint32(ram[q+20:]) == 1 {
			total += le.Uint64(ram[q+12:])
		}
	}
	if total != 512<<20-(0x100000-EBDA)-TopReserved {
		t.Errorf("usable memory in the map: %d", total)
	}
}
