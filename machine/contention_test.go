package machine_test

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/xv6emu/xv6emu/machine"
)

func amoaddW(rd, rs2, rs1 uint32) uint32 { return 0x2f | rd<<7 | 2<<12 | rs1<<15 | rs2<<20 }

// lockLoopGuest is two harts running the same loop, as the children of
// MIT's lock-lab tests do: a long stretch of private work, then a short
// critical section under one shared lock, counting every failed
// test-and-set (the lab's `nts`) at lock+8. Hart 1 starts `lag` loop
// iterations of work late. After `rounds` passes each hart adds one to
// lock+16; hart 0 powers off once both have.
func lockLoopGuest(rounds, work, lag int32) []byte {
	const (
		regA1, regA2 = 11, 12
		lockOff      = 0x1000
	)
	loop := []uint32{
		// 0x40: t1 = the lock, a1 = rounds
		auipc(regT1, 1), addi(regT1, regT1, -0x40),
		addi(regA1, regZero, rounds),
		// 0x4c: 4*work instructions of work
		addi(regT0, regZero, work), slli(regT0, regT0, 1),
		addi(regT0, regT0, -1), bne(regT0, regZero, -4),
		// 0x5c: acquire, counting failures
		addi(regT3, regZero, 1), addi(regT4, regT1, 8),
		amoswapW(regT2, regT3, regT1),
		beq(regT2, regZero, 12),
		amoaddW(regZero, regT3, regT4),
		encJAL(regZero, -12),
		// 0x74: the critical section, then release
		addi(regT0, regZero, 20),
		addi(regT0, regT0, -1), bne(regT0, regZero, -4),
		sw(regZero, regT1, 0),
		addi(regA1, regA1, -1), bne(regA1, regZero, -0x3c),
		// 0x8c: done; hart 0 waits for both
		addi(regT4, regT1, 16), amoaddW(regZero, regT3, regT4),
		bne(regA0, regZero, 20),
		addi(regA2, regZero, 2),
		lw(regT0, regT4, 0), bne(regT0, regA2, -4),
		encJAL(regZero, 12),
		wfi, encJAL(regZero, -4),
	}
	loop = append(loop, powerOff...)
	loop = append(loop, encJAL(regZero, 0))
	return guestELF(lockOff+0x100, map[int][]uint32{
		0x00: {
			beq(regA0, regZero, 0x40), // hart 0 starts the loop at once
			addi(regT0, regZero, lag),
			addi(regT0, regT0, -1), bne(regT0, regZero, -4),
			encJAL(regZero, 0x40-0x10),
		},
		0x40: loop,
	})
}

// Two harts that spend most of their time on private work and a little in
// a shared critical section do meet at the lock under the default
// schedule, whatever their distance. With a fixed quantum shorter than the
// loop they kept the same distance for ever, and at some distances never
// met (0 failed test-and-sets at lags 200 and 400 here): MIT's lock lab
// then passed its contention test on starter code that fails on QEMU.
func TestDefaultScheduleShowsLockContention(t *testing.T) {
	const rounds = 400
	for _, lag := range []int32{1, 200, 400, 800, 1600, 2000} {
		image := lockLoopGuest(rounds, 1300, lag)
		m, err := machine.NewVirt(machine.Config{Kernel: image, CPUs: 2, MaxTicks: machine.Timebase})
		require.NoError(t, err)
		stop := m.Run(nil)
		require.Equal(t, machine.StopPowerOff, stop.Reason, "lag %d: %v", lag, stop)
		var word [24]byte
		require.NoError(t, m.Debugger().ReadMem(0, guestBase+0x1000, word[:]))
		m.Close()
		assert.EqualValues(t, 0, binary.LittleEndian.Uint32(word[0:]), "lag %d: the lock is free at the end", lag)
		assert.EqualValues(t, 2, binary.LittleEndian.Uint32(word[16:]), "lag %d: both harts finished", lag)
		failed := binary.LittleEndian.Uint32(word[8:])
		t.Logf("lag %d: %d failed test-and-sets", lag, failed)
		assert.Greater(t, failed, uint32(0), "lag %d: the harts never met at the lock", lag)
	}
}
