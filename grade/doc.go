// Package grade grades xv6 labs the way MIT's gradelib.py does, and better.
//
// A Lab is a list of Tests. A top-level test boots a fresh machine, plays a
// shell session (wait for the prompt, type the next command, repeat) under a
// timeout, and checks the captured console line by line with regular
// expressions. A child test runs nothing: it checks its parent's console, and
// fails with "Parent failed" when the parent did not run.
//
// Grade runs the machine sessions in parallel through a Backend (the
// in-process emulator, or real QEMU), each run deterministic for its seed,
// prints gradelib's report format ("== Test name == name: OK (1.2s)",
// "Score: N/M") as results arrive in lab order, saves every console under a
// results directory and returns a Report that can be written as JSON or as
// Gradescope's results.json.
//
// Backends live in subpackages (inproc, qemu); lab definitions in labs.
package grade
