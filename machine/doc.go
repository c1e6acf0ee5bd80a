// Package machine builds boards out of the CPU and device packages and runs
// them: the RISC-V "virt" board (QEMU-compatible memory map), the i386 "pc"
// board (pc.go: LAPICs and IOAPIC, IDE, the legacy devices, COM1, MP table,
// multiboot and boot-sector boot), one run loop with virtual time for both
// (it drives either board's processors through a small cpu interface, one
// call per slice of a quantum), and scripted console sessions.
//
// Execution is deterministic. Harts run round-robin in one goroutine, each
// for a quantum of instructions per round. Time (CLINT mtime, the time CSR)
// is derived from retired instructions: InsnsPerTick instructions make one
// tick of the 10 MHz timebase, and a round advances time by one quantum's
// worth, as if the harts ran in parallel. When every hart waits (wfi), time
// jumps to the next timer deadline. A seed varies the quantum from round to
// round, pseudo-randomly and reproducibly, to shake out races.
//
// Every run ends with a Stop that says why, in bounded time and memory:
// guest time (MaxTicks) keeps verdicts deterministic, and a wall-clock
// limit (WallLimit) ends a run the host cannot carry to its guest deadline,
// saying how much guest time it reached. A hart that takes exception after
// exception without retiring an instruction (a trap storm) stops the run at
// once, and so does a machine where every hart waits with nothing to wake
// it. The console is streamed to Config.Console once per round; the machine
// keeps only its tail (Output) and a byte count for the output limit.
//
// Subpackages: elfload (ELF loading), bare (a one-hart board for ISA tests),
// pcfw (the firmware data the pc board writes in place of a BIOS).
package machine
