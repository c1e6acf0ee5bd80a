// Package x86 is the i386 CPU of the "pc" board: real mode and 16-bit
// code (enough for a boot sector and an AP startup trampoline), 32-bit
// protected mode with segmentation (descriptor caches, CPL from CS, rings
// 0 and 3 through the TSS), paging with 4 KiB and 4 MiB pages, the IDT,
// and the integer instruction set gcc -m32 emits for kernels and user
// programs. It knows nothing of the board: it sees a *bus.Bus (RAM, MMIO
// through bus.Load/Store, ports through bus.In/Out), an INTR pin with an
// acknowledge callback (SetINTR, SetIntAck), and a Clock for rdtsc.
//
// Structure: decode.go turns bytes into an insn; exec.go and exec0f.go
// switch on it; alu.go, string.go, seg.go, system.go and intr.go hold the
// semantics; mem.go owns segmentation checks, paging and the TLBs;
// flags.go the lazy flags.
//
// How it is fast: decoded instructions are cached per physical page (one
// slot per byte offset) and dropped when the page is written, through
// bus.Code and bus.OnCodeWrite, so self-modifying code works. Reads and
// writes go through direct-mapped TLBs (per access kind, for supervisor
// and user) holding the RAM offset of each linear page; a write entry
// exists only once the page's D bit is set. A flush bumps a generation
// number. Arithmetic flags are computed lazily from the last operation.
// The commonest 32-bit forms (mov, movzx, reg-reg, reg-imm, reg-mem and
// memory-imm ALU ops, shifts, not/neg, imul, push/pop, pushf, call/ret,
// leave, cli, nop, jcc and jmp) get opcodes of their own after decoding,
// so they dispatch once with no tests of ModRM or operand size. Runs of
// them execute in a small loop of their own (fast.go) that keeps EIP,
// the step count and the fetch page in locals, checks for no interrupt
// between them (none of them can make one deliverable) and writes out
// the TLB hits of their loads, stores and stack accesses; an instruction
// that misses, or is not specialized, goes back to the interpreter before
// it does anything. A fuzz target runs every byte stream both ways and
// compares.
// rep movs and rep stos copy or fill whole page runs at once, and short
// loops of plain moves, adds and compares (gcc's memset and memmove) run
// from a list of their operations once their back edge is taken
// (loop.go). Pages outside RAM get read TLB entries too, and the local
// APIC's ID register (read on every lock operation by classic xv6) is
// read from the device once.
//
// Faults: an instruction that faults panics with an internal value (see
// raise) that the run loop recovers, and the exception is delivered with
// EIP still at the start of the instruction. Instructions commit their
// state only after the last access that can fault (the few that must move
// ESP earlier save it first), so a fault always restarts cleanly. A fault while delivering one is #DF, and one
// while delivering #DF shuts the CPU down (Shutdown reports why).
//
// Spinning costs nothing: Run returns early, with Spinning true, at the
// back edge of a short loop that has gone round with no effect (see
// spin.go: a pause loop, or a test-and-set spin on a held lock, since an
// xchg that writes back the value already there is no effect), and on hlt
// with Halted true. Longer loops that write memory but put it back, such
// as classic xv6's idle scheduler (which never halts), are found by
// probes that log the loop's reads and writes (cycle.go), started when an
// sti leaves the same state as the last time at its EIP (the mark of an
// idle scan) and otherwise rarely; such a CPU stays stopped over later
// Runs while memory still matches.
//
// Choices the manuals leave open (matching QEMU where a test can see it):
//   - Undefined flags: after shifts AF is 0 and OF is computed as for a
//     count of 1; after mul/imul SF, ZF and PF follow the low half and AF
//     is 0; bsf/bsr set ZF, SF and PF from the source with CF = OF = 0;
//     bt and friends change only CF; div and idiv change no flag.
//   - No FPU: x87 opcodes raise #NM when CR0.EM or CR0.TS is set;
//     otherwise fninit and fnclex do nothing, fnstsw and fnstcw store
//     0xFFFF (an empty socket), and the rest raise #UD.
//   - Not implemented, raising #UD: BCD adjust (daa das aaa aas aam aad),
//     bound, arpl, salc, int1, verr/verw, sysenter/syscall, SSE and later.
//     Task gates and call gates raise #GP; virtual-8086 mode is absent.
//   - invlpg drops the one linear page's translations, or every
//     translation while some came from a 4 MiB page (cached per 4 KiB).
//   - A rep string instruction runs in chunks (up to 128 iterations, or
//     16 pages on the fast paths) of one step each, with EIP left on it
//     between chunks, where interrupts may be taken.
//   - Unmapped physical memory reads as all ones and ignores writes, as on
//     a PC; it never faults.
package x86
