package machine

import (
	"bytes"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/xv6emu/xv6emu/bus"
	"github.com/xv6emu/xv6emu/clint"
	"github.com/xv6emu/xv6emu/disk"
	"github.com/xv6emu/xv6emu/fdt"
	"github.com/xv6emu/xv6emu/machine/elfload"
	"github.com/xv6emu/xv6emu/pcihost"
	"github.com/xv6emu/xv6emu/plic"
	"github.com/xv6emu/xv6emu/poweroff"
	"github.com/xv6emu/xv6emu/rv64"
	"github.com/xv6emu/xv6emu/uart"
	"github.com/xv6emu/xv6emu/virtio"
)

// The QEMU virt memory map (hw/riscv/virt.c's layout, as real xv6 kernels
// assume it).
const (
	PowerOffBase = 0x0010_0000
	CLINTBase    = 0x0200_0000
	CLINTSize    = 0x1_0000
	PLICBase     = 0x0c00_0000
	UARTBase     = 0x1000_0000
	UARTSize     = 0x100
	VirtioBase   = 0x1000_1000
	VirtioSize   = 0x1000
	PCIeECAMBase = 0x3000_0000 // the PCIe host bridge's configuration window (pcihost)
	RAMBase      = 0x8000_0000

	UARTIRQ   = 10
	VirtioIRQ = 1
	plicIRQs  = 96 // riscv,ndev: interrupt ids 1..96, as on QEMU virt

	// Timebase is the frequency of mtime and the time CSR (QEMU virt's).
	Timebase = 10_000_000
	// InsnsPerTick is how many instructions a hart retires per timebase
	// tick: a virtual 1000 MIPS per hart, about what QEMU's TCG runs xv6's
	// kernel code at (1.0-1.7 GIPS measured on fork, sbrk and memset-heavy
	// usertests cases). So a CPU-bound test takes about as much guest time
	// here as wall time on QEMU, and graders' timeouts mean the same on
	// both. (At 100 MIPS, usertests needed 10x its QEMU time.)
	InsnsPerTick = 100
	// VirtMaxMem is the most RAM the virt board takes: MIT's 2019 lab
	// Makefiles pass QEMU `-m 3G`. Untouched RAM is never resident.
	VirtMaxMem = 4 << 30

	// DefaultQuantum is how many instructions each hart runs per round.
	DefaultQuantum = 4096

	// Interrupt bits of mip driven by the board's lines.
	intMSoft  = 3
	intMTimer = 7
	intSExt   = 9
	intMExt   = 11

	DefaultMem  = 128 << 20
	DefaultCPUs = 3
	MaxCPUs     = 8
)

// Config describes a virt machine.
type Config struct {
	Kernel       []byte     // kernel ELF (RISC-V 64-bit)
	Disk         *disk.Disk // virtio block device contents; nil for none
	CPUs         int        // harts; 0 means DefaultCPUs
	Mem          uint64     // RAM bytes; 0 means DefaultMem
	Seed         uint64     // seeds the interleaving (quantum variation); 0 is the default stream on virt and the fixed quantum on pc
	LegacyVirtio bool       // virtio-mmio version 1 instead of 2
	Console      io.Writer  // receives everything the guest prints; nil discards
	MaxInsns     uint64     // total instruction budget over all harts; 0 = none
	MaxTicks     uint64     // guest-time budget in timebase ticks; 0 = none
	Realtime     bool       // pace idle time with the wall clock (interactive use)
	OutputLimit  int        // stop after this many console bytes; 0 = 64 MiB
	// WallLimit stops a run after this much real time (StopWallClock),
	// however little guest time has passed: a bound for users who wait in
	// wall time while the guest runs on its own clock. 0 = none.
	WallLimit time.Duration
	// ConsoleTail is how much of the console the machine keeps in memory
	// (see Output); everything goes to Console. 0 = DefaultConsoleTail.
	ConsoleTail int
}

// Machine is a running virt board.
type Machine struct {
	cfg   Config
	bus   *bus.Bus
	harts []*rv64.Hart
	cpus  []cpu    // the processors as the run loop sees them (harts, or the pc's)
	pc    *pcBoard // the "pc" board's devices; nil on virt (pc.go)
	clint *clint.CLINT
	plic  *plic.PLIC
	uart  *uart.UART
	blk   *virtio.Block
	power *poweroff.Device

	// Virtual time: ticks at the start of the current round, the hart now
	// running, and each hart's instret when its current quantum began.
	time    uint64
	cur     int
	qstart  []uint64
	retired uint64   // instructions retired by all harts
	effects []uint64 // each hart's Effects() at the end of the last round
	// idleSince is retired when a round last found every hart waiting
	// with nothing to wake them; a second such round with no progress
	// in between means the machine is idle for good.
	idleSince uint64
	rng       uint64 // xorshift state for quantum variation
	qfrac     uint64 // instructions of past quanta not yet worth a whole tick

	console consoleLog
	input   []byte // host bytes not yet given to the UART

	storms    []stormWatch // per hart: trap-storm detection
	storm     string       // why the run stops for a trap storm; "" for none
	wallStart time.Time    // when Run first ran, for WallLimit

	interrupt       atomic.Bool // set from another goroutine to stop the run loop
	interruptDetail atomic.Pointer[string]
	hostInput       chan []byte // interactive input, drained between rounds

	debug *debugState // breakpoints and watchpoints; nil when none (debug.go)
}

// hartClock is the time source of one hart: the round's start time plus
// the ticks its instructions so far this quantum are worth.
type hartClock struct {
	m *Machine
	i int
}

func (c hartClock) Now() uint64 { return c.m.now(c.i) }

func (m *Machine) now(i int) uint64 {
	return m.time + (m.cpus[i].Instret()-m.qstart[i])/InsnsPerTick
}

// NewVirt builds a virt board, loads the kernel and resets every hart to
// its entry point in M-mode with a0 = hartid and a1 = the device tree.
func NewVirt(cfg Config) (*Machine, error) {
	if cfg.CPUs == 0 {
		cfg.CPUs = DefaultCPUs
	}
	if cfg.CPUs < 1 || cfg.CPUs > MaxCPUs {
		return nil, fmt.Errorf("machine: %d CPUs: must be 1 to %d", cfg.CPUs, MaxCPUs)
	}
	if cfg.Mem == 0 {
		cfg.Mem = DefaultMem
	}
	if cfg.Mem < 16<<20 || cfg.Mem > VirtMaxMem || cfg.Mem%bus.PageSize != 0 {
		return nil, fmt.Errorf("machine: memory size %d: must be a multiple of 4 KiB from 16 MiB to 4 GiB", cfg.Mem)
	}
	if cfg.OutputLimit == 0 {
		cfg.OutputLimit = 64 << 20
	}
	if cfg.ConsoleTail <= 0 {
		cfg.ConsoleTail = DefaultConsoleTail
	}
	m := &Machine{
		cfg:       cfg,
		bus:       bus.New(RAMBase, cfg.Mem),
		qstart:    make([]uint64, cfg.CPUs),
		effects:   make([]uint64, cfg.CPUs),
		storms:    make([]stormWatch, cfg.CPUs),
		rng:       cfg.Seed*0x9E3779B97F4A7C15 | 1,
		idleSince: ^uint64(0),
	}
	m.console.init(cfg.Console, cfg.ConsoleTail)
	if err := m.wire(); err != nil {
		return nil, err
	}
	entry, err := elfload.Load(bytes.NewReader(cfg.Kernel), m.bus, elfload.RISCV64)
	if err != nil {
		return nil, fmt.Errorf("machine: kernel: %w", err)
	}
	tree, err := fdt.VirtTree(fdt.VirtConfig{Harts: cfg.CPUs, RAMBase: RAMBase, RAMSize: cfg.Mem})
	if err != nil {
		return nil, fmt.Errorf("machine: device tree: %w", err)
	}
	dtb := tree.Bytes()
	// Where QEMU puts it: the top of RAM, aligned down to 2 MiB.
	dtbAddr := (RAMBase + cfg.Mem - uint64(len(dtb))) &^ (2<<20 - 1)
	if err := m.bus.WriteRAM(dtbAddr, dtb); err != nil {
		return nil, fmt.Errorf("machine: device tree: %w", err)
	}
	for i, h := range m.harts {
		h.Reset(entry.Entry)
		h.SetReg(10, uint64(i))
		h.SetReg(11, dtbAddr)
	}
	return m, nil
}

// wire creates the harts and devices and connects interrupt lines.
func (m *Machine) wire() error {
	n := m.cfg.CPUs
	uartIRQ := &bus.IRQ{}
	m.clint = clint.New(n, func() uint64 { return m.now(m.cur) })
	m.plic = plic.New(plicIRQs, 2*n)
	m.uart = uart.New(&m.console, uartIRQ)
	m.power = poweroff.New()
	for i := 0; i < n; i++ {
		h := rv64.New(i, m.bus, hartClock{m, i})
		m.harts = append(m.harts, h)
		m.cpus = append(m.cpus, h)
		m.clint.MSIP(i).Connect(func(l bool) { h.SetInterrupt(intMSoft, l) })
		m.clint.MTIP(i).Connect(func(l bool) { h.SetInterrupt(intMTimer, l) })
		m.plic.Output(2 * i).Connect(func(l bool) { h.SetInterrupt(intMExt, l) })
		m.plic.Output(2*i + 1).Connect(func(l bool) { h.SetInterrupt(intSExt, l) })
	}
	uartIRQ.Connect(m.plic.Input(UARTIRQ))
	maps := []struct {
		base, size uint64
		dev        bus.Device
		name       string
	}{
		{PowerOffBase, 0x1000, m.power, "test"},
		{CLINTBase, CLINTSize, m.clint, "clint"},
		{PLICBase, m.plic.Size(), m.plic, "plic"},
		{UARTBase, UARTSize, m.uart, "uart0"},
		{PCIeECAMBase, pcihost.Window, pcihost.Bridge{}, "pcie-ecam"},
	}
	if m.cfg.Disk != nil {
		irq := &bus.IRQ{}
		irq.Connect(m.plic.Input(VirtioIRQ))
		m.blk = virtio.NewBlock(m.bus, m.cfg.Disk, irq, m.cfg.LegacyVirtio)
		maps = append(maps, struct {
			base, size uint64
			dev        bus.Device
			name       string
		}{VirtioBase, VirtioSize, m.blk, "virtio0"})
	}
	for _, r := range maps {
		if err := m.bus.Map(r.base, r.size, r.dev, r.name); err != nil {
			return err
		}
	}
	return nil
}

// Harts returns the number of harts.
func (m *Machine) Harts() int { return len(m.harts) }

// Hart returns hart i, for debuggers and tests.
func (m *Machine) Hart(i int) *rv64.Hart { return m.harts[i] }

// Time returns the current guest time in timebase ticks.
func (m *Machine) Time() uint64 { return m.time }

// Retired returns the instructions retired by all harts so far.
func (m *Machine) Retired() uint64 { return m.retired }

// Close releases the machine's memory at once (guest RAM is not on the Go
// heap). The machine must not be used afterwards; its Output must have
// been copied if it is still needed.
func (m *Machine) Close() { m.bus.Close() }
