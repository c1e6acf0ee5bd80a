// Package pcdev holds the small legacy devices of an i386 PC, each a
// bus.Device on the port space (or a view of RAM):
//
//   - PIC: the 8259A master/slave pair at 0x20/0x21 and 0xA0/0xA1 (ICW1-4,
//     remapping, masks, EOI, IRR/ISR reads); classic xv6 only masks it.
//   - PIT: the 8253/8254 timer at 0x40-0x43; counters are derived from guest
//     time (1.193182 MHz), channel 0 can raise irq 0 in modes 2 and 3, and
//     channel 2's gate and output appear at port 0x61 for calibration loops.
//   - CMOS: the MC146818 RTC and NVRAM at 0x70/0x71, with the memory-size
//     bytes a BIOS leaves there; the clock starts at a time the board gives
//     and advances with guest time, so runs stay deterministic.
//   - KBC: the 8042 keyboard controller (status 0x64, data 0x60) with its A20
//     gate, and System Control Port A (0x92, fast A20 and reset).
//   - CRTC: the CGA's 6845 index/data registers at 0x3D4/0x3D5 (the cursor
//     position reads back) and status at 0x3DA. The text screen itself is
//     RAM at 0xB8000; CGAText renders it for a stop report.
//   - PowerOff: the two ways a guest can end a run on QEMU's "pc" machine.
//     The kernel-facing choice is the ACPI PM1a control register of the
//     i440FX/PIIX4 at port 0x604: a 16-bit write with SLP_EN (bit 13) set
//     and SLP_TYP 0 (QEMU's S5) powers off; `outw(0x604, 0x2000)` works on a
//     stock `qemu-system-i386` with no extra flags, so our x86 kernel port
//     uses it. Port 0xF4 is QEMU's isa-debug-exit (only present there with
//     `-device isa-debug-exit,iobase=0xf4,iosize=4`): writing v ends the run
//     with code 2v+1, the status QEMU exits with; tests use it to report a
//     verdict.
//
// Devices know nothing of a CPU: interrupts leave through bus.IRQ lines,
// time enters through a now function (board ticks at 10 MHz).
package pcdev

// TicksPerSecond is the board clock rate the now functions count in.
const TicksPerSecond = 10_000_000
