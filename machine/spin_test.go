package machine_test

import (
	"debug/elf"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/machine"
	"github.com/xv6emu/xv6emu/machine/elfload"
)

// These tests run tiny hand-assembled M-mode guests to check how the board
// treats harts that spin (rv64's Hart.Spinning): a spin costs no host time,
// and a spin that another hart has broken is not mistaken for idleness.

const (
	regZero, regT0, regT1, regT2, regA0, regT3, regT4 = 0, 5, 6, 7, 10, 28, 29

	guestBase = 0x80000000
	testDev   = 0x100000  // the test device (power off)
	mtimecmp  = 0x2004000 // CLINT mtimecmp of hart 0
)

func encI(op, f3, rd, rs1 uint32, imm int32) uint32 {
	return op | rd<<7 | f3<<12 | rs1<<15 | uint32(imm)<<20
}

func encS(f3, rs1, rs2 uint32, imm int32) uint32 {
	u := uint32(imm)
	return 0x23 | (u&31)<<7 | f3<<12 | rs1<<15 | rs2<<20 | (u>>5&127)<<25
}

func encB(f3, rs1, rs2 uint32, imm int32) uint32 {
	u := uint32(imm)
	return 0x63 | (u>>11&1)<<7 | (u>>1&15)<<8 | f3<<12 | rs1<<15 | rs2<<20 | (u>>5&63)<<25 | (u>>12&1)<<31
}

func encJAL(rd uint32, imm int32) uint32 {
	u := uint32(imm)
	return 0x6f | rd<<7 | (u>>12&255)<<12 | (u>>11&1)<<20 | (u>>1&1023)<<21 | (u>>20&1)<<31
}

func lui(rd, imm20 uint32) uint32           { return 0x37 | rd<<7 | imm20<<12 }
func auipc(rd, imm20 uint32) uint32         { return 0x17 | rd<<7 | imm20<<12 }
func addi(rd, rs1 uint32, imm int32) uint32 { return encI(0x13, 0, rd, rs1, imm) }
func slli(rd, rs1 uint32, sh int32) uint32  { return encI(0x13, 1, rd, rs1, sh) }
func add(rd, rs1, rs2 uint32) uint32        { return 0x33 | rd<<7 | rs1<<15 | rs2<<20 }
func lw(rd, rs1 uint32, imm int32) uint32   { return encI(0x03, 2, rd, rs1, imm) }
func sw(rs2, rs1 uint32, imm int32) uint32  { return encS(2, rs1, rs2, imm) }
func sd(rs2, rs1 uint32, imm int32) uint32  { return encS(3, rs1, rs2, imm) }
func beq(a, b uint32, imm int32) uint32     { return encB(0, a, b, imm) }
func bne(a, b uint32, imm int32) uint32     { return encB(1, a, b, imm) }
func csrw(csr, rs1 uint32) uint32           { return encI(0x73, 1, 0, rs1, int32(csr)) }
func csrsi(csr, zimm uint32) uint32         { return encI(0x73, 6, 0, zimm, int32(csr)) }
func csrs(csr, rs1 uint32) uint32           { return encI(0x73, 2, 0, rs1, int32(csr)) }
func csrc(csr, rs1 uint32) uint32           { return encI(0x73, 3, 0, rs1, int32(csr)) }
func amoswapW(rd, rs2, rs1 uint32) uint32   { return 0x2f | rd<<7 | 2<<12 | rs1<<15 | rs2<<20 | 1<<27 }

const wfi = 0x10500073

// powerOff writes "pass" to the test device (4 instructions).
var powerOff = []uint32{lui(regT2, testDev>>12), lui(regT3, 5), addi(regT3, regT3, 0x555), sw(regT3, regT2, 0)}

// guestELF places words at guestBase (at byte offsets given by the map's
// keys) in an ELF whose segment spans size bytes, the rest zero.
func guestELF(size int, code map[int][]uint32) []byte {
	image := make([]byte, size)
	for at, words := range code {
		for i, w := range words {
			binary.LittleEndian.PutUint32(image[at+4*i:], w)
		}
	}
	return elfload.Executable(elf.EM_RISCV, elf.ET_EXEC, guestBase, image)
}

func runGuest(t *testing.T, cpus int, seed uint64, image []byte) (*machine.Machine, machine.Stop) {
	t.Helper()
	m, err := machine.NewVirt(machine.Config{Kernel: image, CPUs: cpus, Seed: seed, MaxTicks: 100 * machine.Timebase})
	require.NoError(t, err)
	t.Cleanup(m.Close)
	return m, m.Run(nil)
}

// Harts in `for(;;);` waiting for their timers: the board skips the spin, so
// a second of guest time costs almost no instructions.
func TestSpinningHartCostsNothing(t *testing.T) {
	const second = machine.Timebase
	image := guestELF(0x100, map[int][]uint32{
		0x00: {
			auipc(regT0, 0), addi(regT0, regT0, 0x40), csrw(0x305, regT0), // mtvec = handler
			lui(regT2, mtimecmp>>12), slli(regT4, regA0, 3), add(regT2, regT2, regT4),
			lui(regT3, second>>12), addi(regT3, regT3, second&0xfff),
			sd(regT3, regT2, 0),                            // this hart's mtimecmp = 1 s
			addi(regT0, regZero, 0x80), csrw(0x304, regT0), // mie = MTIE
			csrsi(0x300, 8), // mstatus.MIE
			encJAL(regZero, 0),
		},
		0x40: append(powerOff, encJAL(regZero, 0)),
	})
	for _, cpus := range []int{1, 3} {
		m, stop := runGuest(t, cpus, 0, image)
		assert.Equal(t, machine.StopPowerOff, stop.Reason, "%d harts: %v", cpus, stop)
		assert.GreaterOrEqual(t, m.Time(), uint64(second), "%d harts: the timer fired", cpus)
		assert.Less(t, m.Retired(), uint64(1_000_000), "%d harts: a second of spinning is ~%d instructions per hart", cpus, second*machine.InsnsPerTick)
	}
}

// Hart 0 spins on a flag; hart 1 sets it and then waits forever, with a
// timer deadline far away. After the round in which hart 1 sets the flag
// every hart looks idle (hart 0's spin was found before the flag changed),
// but hart 0 must go on at once, not at the far deadline.
func TestBrokenSpinIsNotIdle(t *testing.T) {
	const far = 50 * machine.Timebase
	image := guestELF(0x2000, map[int][]uint32{
		0x00: {bne(regA0, regZero, 0x40)}, // hart 1 goes to 0x40
		0x04: append([]uint32{
			auipc(regT1, 1),      // t1 = 0x80001004
			lw(regT0, regT1, -4), // while(flag == 0);
			beq(regT0, regZero, -4),
		}, append(powerOff, encJAL(regZero, 0))...),
		0x40: {
			lui(regT2, mtimecmp>>12), slli(regT4, regA0, 3), add(regT2, regT2, regT4),
			lui(regT3, far>>12), addi(regT3, regT3, far&0xfff),
			sd(regT3, regT2, 0), // this hart's mtimecmp: far away (never enabled)
			auipc(regT1, 1),     // t1 = 0x80001058
			addi(regT0, regZero, 1),
			sw(regT0, regT1, -0x58), // flag = 1
			wfi, encJAL(regZero, -4),
		},
	})
	for _, seed := range []uint64{0, 1, 2, 3} {
		m, stop := runGuest(t, 2, seed, image)
		assert.Equal(t, machine.StopPowerOff, stop.Reason, "seed %d: %v", seed, stop)
		assert.Less(t, m.Time(), uint64(machine.Timebase/100), "seed %d: hart 0 waited for the far deadline", seed)
	}
}

// Hart 0 waits a second for its timer in `for(;;);` while the others run
// an idle scheduler scan: with interrupts off, take a lock, read a state
// word, release, interrupts on, again. The scan writes memory but changes
// nothing (rv64's cycle detection), so the second costs almost nothing.
func TestIdleScanningHartsCostNothing(t *testing.T) {
	const second = machine.Timebase
	image := guestELF(0x2000, map[int][]uint32{
		0x00: {
			bne(regA0, regZero, 0x40),                                       // the other harts scan
			auipc(regT0, 0), addi(regT0, regT0, 0x80-4), csrw(0x305, regT0), // mtvec = handler
			lui(regT2, mtimecmp>>12), lui(regT3, second>>12), addi(regT3, regT3, second&0xfff),
			sd(regT3, regT2, 0),                            // hart 0's mtimecmp = 1 s
			addi(regT0, regZero, 0x80), csrw(0x304, regT0), // mie = MTIE
			csrsi(0x300, 8), // mstatus.MIE
			encJAL(regZero, 0),
		},
		0x40: {
			auipc(regT1, 1), addi(regT1, regT1, -0x40), // t1 = the lock at 0x80001000
			addi(regT3, regZero, 8), // mstatus.MIE
			csrc(0x300, regT3),      // interrupts off
			addi(regT0, regZero, 1),
			amoswapW(regT2, regT0, regT1), // take the lock
			bne(regT2, regZero, -4),
			lw(regT4, regT1, 4),   // look at the state
			sw(regZero, regT1, 0), // release
			csrs(0x300, regT3),    // interrupts on
			encJAL(regZero, -28),
		},
		0x80: append(powerOff, encJAL(regZero, 0)),
	})
	m, stop := runGuest(t, 3, 0, image)
	assert.Equal(t, machine.StopPowerOff, stop.Reason, "%v", stop)
	assert.GreaterOrEqual(t, m.Time(), uint64(second))
	assert.Less(t, m.Retired(), uint64(10_000_000), "two harts scanning for a second would be ~%d instructions", 2*second*machine.InsnsPerTick)
}

// MIT's 2019 lab Makefiles run QEMU with -m 3G; the board takes up to
// 4 GiB, resident only as the guest touches it.
func TestVirtTakesTheRAMOfMITs2019Makefiles(t *testing.T) {
	image := guestELF(0x100, map[int][]uint32{0: append(powerOff, encJAL(regZero, 0))})
	m, err := machine.NewVirt(machine.Config{Kernel: image, Mem: 3 << 30, MaxTicks: machine.Timebase})
	require.NoError(t, err)
	assert.Equal(t, machine.StopPowerOff, m.Run(nil).Reason)
	m.Close()
	_, err = machine.NewVirt(machine.Config{Kernel: image, Mem: 5 << 30})
	assert.ErrorContains(t, err, "from 16 MiB to 4 GiB")
}
