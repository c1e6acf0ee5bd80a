package pcdev

import "strings"

// The CGA text screen: 80x25 cells of (character, attribute) at 0xB8000.
const (
	CGABase = 0xB8000
	CGACols = 80
	CGARows = 25
)

// CRTC is the CGA's 6845 at ports 0x3D0-0x3DF: the index register (0x3D4),
// the data register (0x3D5) that reads back what was written (cursor
// position in registers 14 and 15, which classic xv6 reads to find where to
// print), and the status register (0x3DA) whose retrace bits toggle on
// every read so wait-for-retrace loops end.
type CRTC struct {
	index  uint8
	regs   [32]uint8
	status uint8
}

// NewCRTC returns a CRTC with the cursor at the top left.
func NewCRTC() *CRTC { return &CRTC{} }

// Cursor is the cursor position (row*80 + column) in registers 14 and 15.
func (c *CRTC) Cursor() int { return int(c.regs[14])<<8 | int(c.regs[15]) }

// Read implements bus.Device for ports 0x3D0-0x3DF.
func (c *CRTC) Read(offset uint64, size int) uint64 {
	switch offset {
	case 4:
		return uint64(c.index)
	case 5:
		return uint64(c.regs[c.index&31])
	case 0xA:
		c.status ^= 0x09 // vertical retrace and display enable
		return uint64(c.status)
	}
	return 0xFF
}

// Write implements bus.Device for ports 0x3D0-0x3DF.
func (c *CRTC) Write(offset uint64, size int, value uint64) {
	switch offset {
	case 4:
		c.index = uint8(value)
		if size == 2 { // outw: index and data at once
			c.regs[c.index&31] = uint8(value >> 8)
		}
	case 5:
		c.regs[c.index&31] = uint8(value)
	}
}

// CGAText renders the text screen held in ram (guest physical memory from
// address 0) as lines without trailing blanks, dropping blank lines at the
// end; "" if the screen is blank or ram does not reach it. Characters
// outside printable ASCII show as '.' (NUL as a blank).
func CGAText(ram []byte) string {
	if len(ram) < CGABase+2*CGACols*CGARows {
		return ""
	}
	screen := ram[CGABase : CGABase+2*CGACols*CGARows]
	var lines []string
	var line [CGACols]byte
	for r := 0; r < CGARows; r++ {
		for col := 0; col < CGACols; col++ {
			ch := screen[2*(r*CGACols+col)]
			switch {
			case ch == 0:
				ch = ' '
			case ch < 0x20 || ch > 0x7E:
				ch = '.'
			}
			line[col] = ch
		}
		lines = append(lines, strings.TrimRight(string(line[:]), " "))
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}
