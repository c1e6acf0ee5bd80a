package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/xv6emu/xv6emu/disk"
)

// qemuOptions is what a QEMU command line asks of the machine. Only what
// xv6 Makefiles of every year pass is understood; anything else is an
// error naming the flag, so a student never runs on a machine other than
// the one they asked for.
type qemuOptions struct {
	system   string // "riscv64" or "i386"
	kernel   string
	mem      uint64 // bytes; 0 = default
	cpus     int    // 0 = default
	drives   []qemuDrive
	blkDrive string // the drive id virtio-blk-device names
	legacy   bool   // virtio-mmio version 1 (QEMU's default: force-legacy=true)
	wait     bool   // -S
	gdb      string // listen address, "" for none
	snapshot bool
	icount   bool
	notes    []string // ignored flags, for stderr
	help     bool
	version  bool // -version: MIT's 2025 Makefile checks it is at least 7.2
}

type qemuDrive struct {
	file, id string
	index    int // -1 when not given
}

// parseQEMUArgs parses a QEMU command line for system ("riscv64" or "i386").
func parseQEMUArgs(system string, args []string) (*qemuOptions, error) {
	o := &qemuOptions{system: system, legacy: true}
	for i := 0; i < len(args); i++ {
		flag := args[i]
		name := "-" + strings.TrimLeft(flag, "-")
		if !strings.HasPrefix(flag, "-") {
			return nil, fmt.Errorf("unexpected argument %q", flag)
		}
		value := func() (string, error) {
			if i+1 >= len(args) {
				return "", fmt.Errorf("option %s needs an argument", flag)
			}
			i++
			return args[i], nil
		}
		var v string
		var err error
		switch name {
		case "-h", "-help":
			o.help = true
			continue
		case "-version":
			o.version = true
			continue
		case "-nographic", "-no-reboot", "-no-shutdown":
			continue
		case "-S":
			o.wait = true
			continue
		case "-s":
			o.gdb = "tcp::1234"
			continue
		case "-snapshot":
			o.snapshot = true
			continue
		case "-icount":
			// Its argument is optional ("-icount shift=auto" or a number).
			o.icount = true
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
			}
			continue
		}
		if !qemuValueFlags[name] {
			if name == "-netdev" || name == "-nic" || name == "-net" {
				// MIT's net lab: say what is missing, not just which flag.
				return nil, fmt.Errorf("unsupported option %s: xv6emu has no network device (e1000); run this lab on QEMU", flag)
			}
			return nil, fmt.Errorf("unsupported option %s", flag)
		}
		if v, err = value(); err != nil {
			return nil, err
		}
		switch name {
		case "-machine", "-M":
			typ, _, _ := strings.Cut(v, ",")
			typ = strings.TrimPrefix(typ, "type=")
			want := "virt"
			if system == "i386" {
				want = "pc"
			}
			if typ != want && !(system == "i386" && strings.HasPrefix(typ, "pc")) {
				return nil, fmt.Errorf("-machine %s: only %q is emulated", v, want)
			}
		case "-bios":
			if v != "none" {
				return nil, fmt.Errorf("-bios %s: only 'none' is supported (the kernel starts in M-mode)", v)
			}
		case "-kernel":
			o.kernel = v
		case "-m":
			if o.mem, err = parseQEMUMem(v); err != nil {
				return nil, fmt.Errorf("-m %s: %w", v, err)
			}
		case "-smp":
			if o.cpus, err = parseSMP(v); err != nil {
				return nil, fmt.Errorf("-smp %s: %w", v, err)
			}
		case "-serial":
			if v != "mon:stdio" && v != "stdio" {
				return nil, fmt.Errorf("-serial %s: only mon:stdio and stdio are supported", v)
			}
		case "-monitor":
			o.notes = append(o.notes, fmt.Sprintf("-monitor %s ignored: Ctrl-A c opens a small monitor on the console", v))
		case "-d", "-D":
			o.notes = append(o.notes, fmt.Sprintf("%s %s ignored: xv6emu has no QEMU debug log", flag, v))
		case "-global":
			switch v {
			case "virtio-mmio.force-legacy=false":
				o.legacy = false
			case "virtio-mmio.force-legacy=true":
				o.legacy = true
			default:
				return nil, fmt.Errorf("-global %s: not supported", v)
			}
		case "-drive":
			d, err := parseDrive(v)
			if err != nil {
				return nil, fmt.Errorf("-drive %s: %w", v, err)
			}
			o.drives = append(o.drives, d)
		case "-device":
			if err := o.device(v); err != nil {
				return nil, fmt.Errorf("-device %s: %w", v, err)
			}
		case "-gdb":
			o.gdb = v
		}
	}
	return o, nil
}

// qemuValueFlags are the options taking an argument that parseQEMUArgs
// knows.
var qemuValueFlags = map[string]bool{
	"-machine": true, "-M": true, "-bios": true, "-kernel": true, "-m": true, "-smp": true,
	"-serial": true, "-monitor": true, "-d": true, "-D": true, "-global": true, "-drive": true,
	"-device": true, "-gdb": true,
}

// parseQEMUMem parses -m: a size whose unit defaults to MiB, or size=N.
func parseQEMUMem(v string) (uint64, error) {
	v = strings.TrimPrefix(v, "size=")
	v, _, _ = strings.Cut(v, ",")
	if n, err := strconv.ParseUint(v, 10, 64); err == nil {
		return n << 20, nil
	}
	return parseSize(v)
}

// parseSMP parses -smp N or -smp cpus=N,... (other topology keys ignored).
func parseSMP(v string) (int, error) {
	for i, f := range strings.Split(v, ",") {
		key, val, kv := strings.Cut(f, "=")
		if !kv {
			if i != 0 {
				continue
			}
			val = key
		} else if key != "cpus" {
			continue
		}
		n, err := strconv.Atoi(val)
		if err != nil || n < 1 {
			return 0, fmt.Errorf("bad CPU count %q", val)
		}
		return n, nil
	}
	return 0, fmt.Errorf("no CPU count")
}

func parseDrive(v string) (qemuDrive, error) {
	d := qemuDrive{index: -1}
	for _, f := range strings.Split(v, ",") {
		key, val, _ := strings.Cut(f, "=")
		switch key {
		case "file":
			d.file = val
		case "id":
			d.id = val
		case "index":
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 {
				return d, fmt.Errorf("bad index %q", val)
			}
			d.index = n
		case "format":
			if val != "raw" {
				return d, fmt.Errorf("format %s: only raw images are supported", val)
			}
		case "if", "media", "cache", "snapshot":
		default:
			return d, fmt.Errorf("option %s not supported", key)
		}
	}
	if d.file == "" {
		return d, fmt.Errorf("no file=")
	}
	return d, nil
}

func (o *qemuOptions) device(v string) error {
	fields := strings.Split(v, ",")
	if fields[0] != "virtio-blk-device" {
		return fmt.Errorf("only virtio-blk-device is emulated")
	}
	for _, f := range fields[1:] {
		key, val, _ := strings.Cut(f, "=")
		switch key {
		case "drive":
			o.blkDrive = val
		case "bus":
			if val != "virtio-mmio-bus.0" {
				return fmt.Errorf("bus %s: only virtio-mmio-bus.0 exists", val)
			}
		default:
			return fmt.Errorf("option %s not supported", key)
		}
	}
	return nil
}

// openDisks opens the images the machine's disks show, written in place
// unless -snapshot: on riscv64 the virtio disk ([0]); on i386 the IDE
// master and slave (-drive index=0 and 1; without index, in order).
func (o *qemuOptions) openDisks() ([2]*disk.Disk, error) {
	var files [2]string
	if o.system == "riscv64" {
		f, err := o.diskFile()
		if err != nil {
			return [2]*disk.Disk{}, err
		}
		files[0] = f
	} else {
		next := 0
		for _, d := range o.drives {
			i := d.index
			if i < 0 {
				i = next
			}
			if i > 1 || files[i] != "" {
				return [2]*disk.Disk{}, fmt.Errorf("-drive %s: only IDE index 0 and 1 exist", d.file)
			}
			files[i] = d.file
			next = i + 1
		}
	}
	var disks [2]*disk.Disk
	for i, f := range files {
		if f == "" {
			continue
		}
		d, err := disk.Open(f, !o.snapshot)
		if err != nil {
			for _, o := range disks {
				if o != nil {
					o.Close()
				}
			}
			return [2]*disk.Disk{}, err
		}
		disks[i] = d
	}
	return disks, nil
}

// diskFile returns the image the virtio disk shows ("" for none): the
// drive virtio-blk-device names, or the only drive there is.
func (o *qemuOptions) diskFile() (string, error) {
	if o.blkDrive != "" {
		for _, d := range o.drives {
			if d.id == o.blkDrive {
				return d.file, nil
			}
		}
		return "", fmt.Errorf("-device virtio-blk-device: no -drive with id=%s", o.blkDrive)
	}
	switch len(o.drives) {
	case 0:
		return "", nil
	case 1:
		return o.drives[0].file, nil
	}
	return "", fmt.Errorf("%d drives but no -device virtio-blk-device to say which is the disk", len(o.drives))
}
