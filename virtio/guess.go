package virtio

import "bytes"

// KernelWantsLegacy guesses, from a kernel image, whether its driver needs
// the legacy (version 1) register layout: MIT xv6-riscv before 2022 checks
// for version 1 and panics otherwise, and its trees ran on QEMU's default
// (force-legacy=true), while the 2022 driver and later ask for version 2
// in their Makefiles. The driver is known by its panic messages: the old
// one has "could not find virtio disk" and none of the checks a version 2
// driver adds (FEATURES_OK, a queue already ready). Any other kernel
// (ours, a rewritten driver) gets version 2, the device this project's
// kernels are built for.
func KernelWantsLegacy(kernel []byte) bool {
	return bytes.Contains(kernel, []byte("could not find virtio disk")) &&
		!bytes.Contains(kernel, []byte("virtio disk should not be ready")) &&
		!bytes.Contains(kernel, []byte("FEATURES_OK"))
}
