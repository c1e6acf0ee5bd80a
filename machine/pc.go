package machine

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/xv6emu/xv6emu/apic"
	"github.com/xv6emu/xv6emu/bus"
	"github.com/xv6emu/xv6emu/disk"
	"github.com/xv6emu/xv6emu/ide"
	"github.com/xv6emu/xv6emu/machine/elfload"
	"github.com/xv6emu/xv6emu/machine/pcfw"
	"github.com/xv6emu/xv6emu/pcdev"
	"github.com/xv6emu/xv6emu/uart"
	"github.com/xv6emu/xv6emu/x86"
)

// The "pc" board: an i386 PC as QEMU's "pc" machine shows it to xv6.
const (
	PCDefaultMem  = 512 << 20
	PCDefaultCPUs = 2 // classic xv6's Makefile
	PCMaxMem      = 2 << 30

	COM1Port = 0x3F8
	COM1IRQ  = 4
	IDEIRQ   = 14
	PITIRQ   = 0

	bootSector = 0x7C00
)

// pcQuantum is the pc board's round quantum, in instructions per CPU. It
// is shorter than virt's because a CPU that wakes another must not run
// far ahead of it: with 4096, classic xv6's create/unlink lock-order race
// (create's iput(dp) sleeps on dp while holding the new inode, after
// waking an unlink that takes dp and then waits for that inode) deadlocks
// usertests' linkunlink on 2 CPUs for most seeds, where real hardware,
// whose wake-up takes far longer than the few hundred instructions of the
// window, never does. At 1024 it passes with the default schedule and
// most seeds (some still hang there, e.g. seeds 1 and 3 at the end of
// session 5: the guest's own deadlock, ended by the guest-time verdict),
// at no measurable cost in speed; at 256 the per-slice cost halves the
// MIPS.
const pcQuantum = 1024

// PCConfig describes a pc machine. Of the embedded Config: Kernel is a
// multiboot ELF (or a.out-kludge image); without one the machine boots
// from Disk, the IDE master, through its boot sector.
type PCConfig struct {
	Config
	Slave   *disk.Disk // IDE slave: classic xv6's fs.img (its disk 1); nil for none
	Cmdline string     // multiboot command line
	// RTC is the CMOS clock at guest time 0; the zero value means
	// 2000-01-01 00:00:00 UTC (never the host's clock: runs stay
	// reproducible).
	RTC time.Time
}

// pcBoard holds the pc's CPUs and devices.
type pcBoard struct {
	cpus  []*x86.CPU
	apic  *apic.System
	pic   *pcdev.PIC
	pit   *pcdev.PIT
	cmos  *pcdev.CMOS
	kbc   *pcdev.KBC
	crtc  *pcdev.CRTC
	power *pcdev.PowerOff
	ide   *ide.Controller
}

// pcCPU is an x86 CPU as the run loop sees it.
type pcCPU struct{ *x86.CPU }

// Waiting is true in hlt and while an AP waits for its STARTUP IPI.
func (c pcCPU) Waiting() bool { return c.Halted() }

// NewPC builds a pc board, writes the firmware data (BDA, MP table,
// CMOS), loads the kernel (multiboot) or the boot sector (disk), and
// starts CPU 0; the others wait for INIT and STARTUP.
func NewPC(cfg PCConfig) (*Machine, error) {
	if cfg.CPUs == 0 {
		cfg.CPUs = PCDefaultCPUs
	}
	if cfg.CPUs < 1 || cfg.CPUs > MaxCPUs {
		return nil, fmt.Errorf("machine: %d CPUs: must be 1 to %d", cfg.CPUs, MaxCPUs)
	}
	if cfg.Mem == 0 {
		cfg.Mem = PCDefaultMem
	}
	if cfg.Mem < 16<<20 || cfg.Mem > PCMaxMem || cfg.Mem%bus.PageSize != 0 {
		return nil, fmt.Errorf("machine: memory size %d: must be a multiple of 4 KiB from 16 MiB to 2 GiB", cfg.Mem)
	}
	if cfg.Kernel == nil && cfg.Disk == nil {
		return nil, errors.New("machine: pc: nothing to boot: give a multiboot kernel or a boot disk")
	}
	if cfg.OutputLimit == 0 {
		cfg.OutputLimit = 64 << 20
	}
	if cfg.ConsoleTail <= 0 {
		cfg.ConsoleTail = DefaultConsoleTail
	}
	if cfg.RTC.IsZero() {
		cfg.RTC = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	m := &Machine{
		cfg:       cfg.Config,
		bus:       bus.New(0, cfg.Mem),
		qstart:    make([]uint64, cfg.CPUs),
		effects:   make([]uint64, cfg.CPUs),
		storms:    make([]stormWatch, cfg.CPUs),
		rng:       cfg.Seed*0x9E3779B97F4A7C15 | 1,
		idleSince: ^uint64(0),
	}
	m.console.init(cfg.Console, cfg.ConsoleTail)
	if err := m.wirePC(cfg); err != nil {
		m.Close()
		return nil, err
	}
	if err := m.bootPC(cfg); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

// ioapicID is the I/O APIC's id: the first after the CPUs', as SeaBIOS
// numbers it.
func ioapicID(cpus int) uint8 { return uint8(cpus) }

// wirePC creates the CPUs and devices, maps them and connects interrupts:
// ISA irq n goes to the 8259 input n and to I/O APIC pin pcfw.ISAPin(n).
func (m *Machine) wirePC(cfg PCConfig) error {
	n := cfg.CPUs
	now := func() uint64 { return m.now(m.cur) }
	p := &pcBoard{
		apic:  apic.New(n, ioapicID(n), now),
		cmos:  pcdev.NewCMOS(now, cfg.RTC, cfg.Mem),
		kbc:   pcdev.NewKBC(),
		crtc:  pcdev.NewCRTC(),
		power: pcdev.NewPowerOff(),
	}
	m.pc = p
	p.kbc.OnReset = p.power.RequestReset
	var picOut bus.IRQ // the 8259's INT: not wired to a CPU (kernels here use the APICs)
	p.pic = pcdev.NewPIC(&picOut)
	isa := func(irq int) *bus.IRQ {
		l := &bus.IRQ{}
		toPIC, toIOAPIC := p.pic.Input(irq), p.apic.IOAPIC().Input(pcfw.ISAPin(irq))
		l.Connect(func(level bool) {
			toPIC(level)
			toIOAPIC(level)
		})
		return l
	}
	p.pit = pcdev.NewPIT(now, isa(PITIRQ))
	m.uart = uart.New(&m.console, isa(COM1IRQ))
	p.ide = ide.New(cfg.Disk, cfg.Slave, isa(IDEIRQ))
	for i := 0; i < n; i++ {
		c := x86.New(i, m.bus, hartClock{m, i})
		l := p.apic.LAPIC(i)
		l.SetINTR = c.SetINTR
		l.OnINIT = c.INIT
		l.OnStartup = c.StartupIPI
		c.SetIntAck(l.Acknowledge)
		if i != 0 {
			c.INIT() // APs wait for INIT-SIPI-SIPI
		}
		p.cpus = append(p.cpus, c)
		m.cpus = append(m.cpus, pcCPU{c})
	}
	if err := m.bus.Map(apic.LocalBase, apic.LocalSize, p.apic.Window(func() int { return m.cur }), "lapic"); err != nil {
		return err
	}
	if err := m.bus.Map(apic.IOBase, apic.IOSize, p.apic.IOAPIC(), "ioapic"); err != nil {
		return err
	}
	ports := []struct {
		base, n uint16
		dev     bus.Device
		name    string
	}{
		{0x20, 2, p.pic.Master(), "pic1"},
		{0xA0, 2, p.pic.Slave(), "pic2"},
		{0x40, 4, p.pit, "pit"},
		{0x61, 1, p.pit.Port61(), "port61"},
		{0x60, 1, p.kbc, "kbd-data"},
		{0x64, 1, p.kbc.Command(), "kbd-cmd"},
		{0x70, 2, p.cmos, "cmos"},
		{0x92, 1, p.kbc.Port92(), "port92"},
		{0x1F0, ide.CommandPorts, p.ide, "ide"},
		{0x3F6, 1, p.ide.Control(), "ide-ctl"},
		{COM1Port, 8, m.uart, "com1"},
		{0x3D0, 16, p.crtc, "crtc"},
		{pcdev.ACPIPM1aControl, 2, p.power.ACPI(), "acpi-pm"},
		{pcdev.DebugExitPort, 4, p.power.DebugExit(), "debug-exit"},
	}
	for _, r := range ports {
		if err := m.bus.MapPorts(r.base, r.n, r.dev, r.name); err != nil {
			return err
		}
	}
	return pcfw.Write(m.bus.RAM, pcfw.MP{CPUs: n, IOAPICID: ioapicID(n)})
}

// bootPC loads what boots: a multiboot kernel entered in protected mode,
// or the boot disk's first sector entered in real mode at 0000:7C00 with
// DL = 0x80, as a BIOS hands over.
func (m *Machine) bootPC(cfg PCConfig) error {
	c := m.pc.cpus[0]
	if cfg.Kernel != nil {
		entry, err := m.loadMultiboot(cfg)
		if err != nil {
			return fmt.Errorf("machine: kernel: %w", err)
		}
		info, err := pcfw.WriteInfo(m.bus.RAM, cfg.Mem, cfg.Cmdline)
		if err != nil {
			return err
		}
		c.EnterMultiboot(entry, pcfw.MultibootBootMagic, info)
		return nil
	}
	var mbr [disk.SectorSize]byte
	if _, err := cfg.Disk.ReadAt(mbr[:], 0); err != nil {
		return fmt.Errorf("machine: boot disk: %w", err)
	}
	if mbr[510] != 0x55 || mbr[511] != 0xAA {
		return errors.New("machine: boot disk: sector 0 is not bootable (no 0x55AA signature)")
	}
	if err := m.bus.WriteRAM(bootSector, mbr[:]); err != nil {
		return err
	}
	c.ResetReal(0, bootSector)
	c.SetReg(x86.EDX, 0x80)
	return nil
}

// loadMultiboot loads a kernel with a multiboot header: by the header's
// address fields when it has them, else as an i386 ELF.
func (m *Machine) loadMultiboot(cfg PCConfig) (uint32, error) {
	h, err := pcfw.FindHeader(cfg.Kernel)
	if err != nil {
		return 0, err
	}
	if h.Flags&(1<<16) != 0 {
		return h.LoadAOut(cfg.Kernel, m.bus.RAM)
	}
	im, err := elfload.Load(bytes.NewReader(cfg.Kernel), m.bus, elfload.I386)
	if err != nil {
		return 0, err
	}
	return uint32(im.Entry), nil
}

func (p *pcBoard) updateTimers() {
	p.apic.Update()
	p.pit.Update()
}

// nextDeadline is the earliest LAPIC or PIT timer deadline after now.
func (p *pcBoard) nextDeadline(now uint64) (uint64, bool) {
	d, ok := p.apic.NextDeadline()
	if ok && d <= now {
		ok = false
	}
	if t, armed := p.pit.NextDeadline(); armed && t > now && (!ok || t < d) {
		d, ok = t, true
	}
	return d, ok
}

// pcStopped reports a CPU that shut down (a triple fault), which ends the
// run as a trap storm does on RISC-V.
func (m *Machine) pcStopped(i int) bool {
	c := m.pc.cpus[i]
	reason, down := c.Shutdown()
	if !down {
		return false
	}
	m.storm = fmt.Sprintf("cpu %d shut down at eip %#x: %s", i, c.EIP(), reason)
	return true
}

// PC reports whether m is a pc board.
func (m *Machine) PC() bool { return m.pc != nil }

// CPUs returns the number of processors, on either board.
func (m *Machine) CPUs() int { return len(m.cpus) }

// X86 returns CPU i of a pc board (nil on virt), for debuggers and tests.
func (m *Machine) X86(i int) *x86.CPU {
	if m.pc == nil {
		return nil
	}
	return m.pc.cpus[i]
}

// Screen renders the CGA text screen of a pc board ("" on virt, or when
// nothing was written there): what a kernel printed before its serial
// console worked, for a stop report.
func (m *Machine) Screen() string {
	if m.pc == nil {
		return ""
	}
	return pcdev.CGAText(m.bus.RAM)
}
