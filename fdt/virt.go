package fdt

import "fmt"

// QEMU virt's memory map and interrupt numbers (hw/riscv/virt.c layout,
// checked against the tree qemu-system-riscv64 7.2 dumps).
const (
	VirtTestBase   = 0x100000 // SiFive test finisher (poweroff/reboot)
	VirtTestSize   = 0x1000
	VirtCLINTBase  = 0x2000000
	VirtCLINTSize  = 0x10000
	VirtPLICBase   = 0xc000000
	VirtPLICSize   = 0x600000 // QEMU reserves room for its maximum hart count
	VirtUARTBase   = 0x10000000
	VirtUARTSize   = 0x100
	VirtUARTIRQ    = 10
	VirtUARTClock  = 3686400
	VirtVirtioBase = 0x10001000 // virtio-mmio slot i at VirtVirtioBase + i*VirtVirtioSize
	VirtVirtioSize = 0x1000
	VirtVirtioIRQ  = 1 // slot i raises PLIC source VirtVirtioIRQ + i
	VirtRAMBase    = 0x80000000
	VirtTimebase   = 10000000 // mtime ticks per second

	// VirtPLICSources is QEMU 7.2's riscv,ndev.
	VirtPLICSources = 96
	// DefaultISA is what our RV64GC harts implement, Sstc included.
	DefaultISA = "rv64imafdc_zicsr_zifencei_sstc"
)

// Local interrupt numbers on a hart's interrupt controller.
const (
	irqMSoft     = 3
	irqMTimer    = 7
	irqSExternal = 9
	irqMExternal = 11
)

// VirtConfig says what VirtTree describes. Zero fields take the defaults
// noted on each.
type VirtConfig struct {
	Harts       int    // at least 1
	RAMBase     uint64 // default VirtRAMBase
	RAMSize     uint64 // required
	ISA         string // riscv,isa; default DefaultISA
	MMU         string // mmu-type; default "riscv,sv39"
	PLICSources int    // riscv,ndev; default VirtPLICSources
	VirtioSlots int    // virtio-mmio nodes; default 1 (QEMU has 8)
	Bootargs    string // /chosen/bootargs, omitted if empty
}

// VirtTree returns the device tree of a virt board: the same nodes,
// compatible strings, addresses and interrupt wiring as QEMU's, minus the
// devices this emulator does not have (PCI, flash, fw-cfg, RTC, PMU) and
// minus QEMU's random rng-seed, which would break determinism. (The board
// does answer PCIe configuration reads, for kernels that probe the window
// without reading the tree: see package pcihost.)
func VirtTree(cfg VirtConfig) (*Tree, error) {
	if cfg.Harts < 1 {
		return nil, fmt.Errorf("fdt: virt board needs at least one hart, not %d", cfg.Harts)
	}
	if cfg.RAMSize == 0 {
		return nil, fmt.Errorf("fdt: virt board needs some RAM")
	}
	if cfg.RAMBase == 0 {
		cfg.RAMBase = VirtRAMBase
	}
	if cfg.ISA == "" {
		cfg.ISA = DefaultISA
	}
	if cfg.MMU == "" {
		cfg.MMU = "riscv,sv39"
	}
	if cfg.PLICSources == 0 {
		cfg.PLICSources = VirtPLICSources
	}
	if cfg.VirtioSlots == 0 {
		cfg.VirtioSlots = 1
	}

	t := New()
	root := t.Root
	root.U32("#address-cells", 2).U32("#size-cells", 2)
	root.String("compatible", "riscv-virtio").String("model", "riscv-virtio,qemu")

	chosen := root.AddNode("chosen")
	if cfg.Bootargs != "" {
		chosen.String("bootargs", cfg.Bootargs)
	}
	chosen.String("stdout-path", fmt.Sprintf("/soc/serial@%x", VirtUARTBase))

	// The finisher is a syscon; poweroff and reboot point into it.
	poweroff := root.AddNode("poweroff")
	reboot := root.AddNode("reboot")

	root.AddNode(fmt.Sprintf("memory@%x", cfg.RAMBase)).
		String("device_type", "memory").
		U64("reg", cfg.RAMBase, cfg.RAMSize)

	intcs := addCPUs(root, cfg)

	soc := root.AddNode("soc")
	soc.U32("#address-cells", 2).U32("#size-cells", 2)
	soc.String("compatible", "simple-bus").Empty("ranges")

	test := soc.AddNode(fmt.Sprintf("test@%x", VirtTestBase))
	test.U64("reg", VirtTestBase, VirtTestSize)
	test.Strings("compatible", "sifive,test1", "sifive,test0", "syscon")
	testPh := test.Phandle()
	poweroff.U32("value", 0x5555).U32("offset", 0).U32("regmap", testPh).String("compatible", "syscon-poweroff")
	reboot.U32("value", 0x7777).U32("offset", 0).U32("regmap", testPh).String("compatible", "syscon-reboot")

	plic := soc.AddNode(fmt.Sprintf("plic@%x", VirtPLICBase))
	plicPh := plic.Phandle()

	uart := soc.AddNode(fmt.Sprintf("serial@%x", VirtUARTBase))
	uart.U32("interrupts", VirtUARTIRQ).U32("interrupt-parent", plicPh)
	uart.U32("clock-frequency", VirtUARTClock)
	uart.U64("reg", VirtUARTBase, VirtUARTSize).String("compatible", "ns16550a")

	// QEMU lists the virtio slots from the highest address down.
	for i := cfg.VirtioSlots - 1; i >= 0; i-- {
		base := uint64(VirtVirtioBase + i*VirtVirtioSize)
		v := soc.AddNode(fmt.Sprintf("virtio_mmio@%x", base))
		v.U32("interrupts", uint32(VirtVirtioIRQ+i)).U32("interrupt-parent", plicPh)
		v.U64("reg", base, VirtVirtioSize).String("compatible", "virtio,mmio")
	}

	var plicIRQs, clintIRQs []uint32
	for _, ph := range intcs {
		plicIRQs = append(plicIRQs, ph, irqMExternal, ph, irqSExternal)
		clintIRQs = append(clintIRQs, ph, irqMSoft, ph, irqMTimer)
	}
	plic.U32("riscv,ndev", uint32(cfg.PLICSources))
	plic.U64("reg", VirtPLICBase, VirtPLICSize)
	plic.U32("interrupts-extended", plicIRQs...)
	plic.Empty("interrupt-controller")
	plic.Strings("compatible", "sifive,plic-1.0.0", "riscv,plic0")
	plic.U32("#address-cells", 0).U32("#interrupt-cells", 1)

	soc.AddNode(fmt.Sprintf("clint@%x", VirtCLINTBase)).
		U32("interrupts-extended", clintIRQs...).
		U64("reg", VirtCLINTBase, VirtCLINTSize).
		Strings("compatible", "sifive,clint0", "riscv,clint0")
	return t, nil
}

// addCPUs adds /cpus with one node per hart and returns the phandles of
// their interrupt controllers, by hart.
func addCPUs(root *Node, cfg VirtConfig) []uint32 {
	cpus := root.AddNode("cpus")
	cpus.U32("#address-cells", 1).U32("#size-cells", 0)
	cpus.U32("timebase-frequency", VirtTimebase)
	intcs := make([]uint32, cfg.Harts)
	cpuPh := make([]uint32, cfg.Harts)
	for h := 0; h < cfg.Harts; h++ {
		cpu := cpus.AddNode(fmt.Sprintf("cpu@%x", h))
		cpuPh[h] = cpu.Phandle()
		cpu.String("device_type", "cpu").U32("reg", uint32(h)).String("status", "okay")
		cpu.String("compatible", "riscv").String("riscv,isa", cfg.ISA).String("mmu-type", cfg.MMU)
		intc := cpu.AddNode("interrupt-controller")
		intc.U32("#interrupt-cells", 1).Empty("interrupt-controller").String("compatible", "riscv,cpu-intc")
		intcs[h] = intc.Phandle()
	}
	cluster := cpus.AddNode("cpu-map").AddNode("cluster0")
	for h := 0; h < cfg.Harts; h++ {
		cluster.AddNode(fmt.Sprintf("core%d", h)).U32("cpu", cpuPh[h])
	}
	return intcs
}
