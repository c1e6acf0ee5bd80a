// Package fdt builds flattened device trees (DTB format version 17, as in
// the Devicetree Specification v0.4 chapter 5), the blob a RISC-V kernel
// finds in a1 at boot. VirtTree describes QEMU's virt board.
//
// Output is deterministic: nodes and properties appear in the order they
// were added, and names in the strings block in the order of first use.
package fdt

import (
	"encoding/binary"
	"fmt"
)

// Structure block tokens and header constants.
const (
	Magic            = 0xd00dfeed
	Version          = 17
	LastCompVersion  = 16
	headerSize       = 40
	tokenBeginNode   = 1
	tokenEndNode     = 2
	tokenProp        = 3
	tokenEnd         = 9
	reservationEntry = 16
)

// Tree is a device tree under construction.
type Tree struct {
	Root *Node
	// BootCPU is the boot_cpuid_phys header field.
	BootCPU uint32

	reservations [][2]uint64
	nextPhandle  uint32
}

// Node is one node of a Tree.
type Node struct {
	name     string
	tree     *Tree
	props    []property
	children []*Node
	phandle  uint32
}

type property struct {
	name  string
	value []byte
}

// New returns a tree with an empty root node.
func New() *Tree {
	t := &Tree{}
	t.Root = &Node{tree: t}
	return t
}

// Reserve adds a memory reservation block entry.
func (t *Tree) Reserve(addr, size uint64) {
	t.reservations = append(t.reservations, [2]uint64{addr, size})
}

// Name is the node's name including any unit address ("" for the root).
func (n *Node) Name() string { return n.name }

// AddNode adds a child named name (e.g. "cpu@0") and returns it.
func (n *Node) AddNode(name string) *Node {
	c := &Node{name: name, tree: n.tree}
	n.children = append(n.children, c)
	return c
}

// Child returns the first child called name, or nil.
func (n *Node) Child(name string) *Node {
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

// Set sets property name to a raw value, replacing an earlier value in
// place so the property keeps its position.
func (n *Node) Set(name string, value []byte) *Node {
	for i := range n.props {
		if n.props[i].name == name {
			n.props[i].value = value
			return n
		}
	}
	n.props = append(n.props, property{name, value})
	return n
}

// Get returns the raw value of property name.
func (n *Node) Get(name string) ([]byte, bool) {
	for _, p := range n.props {
		if p.name == name {
			return p.value, true
		}
	}
	return nil, false
}

// Empty sets a property with no value (a flag like "interrupt-controller").
func (n *Node) Empty(name string) *Node { return n.Set(name, []byte{}) }

// U32 sets a property to one or more big-endian 32-bit cells.
func (n *Node) U32(name string, cells ...uint32) *Node {
	v := make([]byte, 4*len(cells))
	for i, c := range cells {
		binary.BigEndian.PutUint32(v[4*i:], c)
	}
	return n.Set(name, v)
}

// U64 sets a property to one or more 64-bit values (two cells each).
func (n *Node) U64(name string, vals ...uint64) *Node {
	v := make([]byte, 8*len(vals))
	for i, x := range vals {
		binary.BigEndian.PutUint64(v[8*i:], x)
	}
	return n.Set(name, v)
}

// String sets a NUL-terminated string property.
func (n *Node) String(name, s string) *Node { return n.Strings(name, s) }

// Strings sets a string-list property: each string NUL-terminated.
func (n *Node) Strings(name string, ss ...string) *Node {
	var v []byte
	for _, s := range ss {
		v = append(v, s...)
		v = append(v, 0)
	}
	return n.Set(name, v)
}

// Bytes sets a property to a copy of a byte blob.
func (n *Node) Bytes(name string, b []byte) *Node {
	return n.Set(name, append([]byte{}, b...))
}

// Phandle gives the node a phandle, the first time it is asked for,
// and returns it. Phandles count up from 1 in the order nodes ask.
func (n *Node) Phandle() uint32 {
	if n.phandle == 0 {
		n.tree.nextPhandle++
		n.phandle = n.tree.nextPhandle
		n.U32("phandle", n.phandle)
	}
	return n.phandle
}

// Bytes encodes the tree as a DTB.
func (t *Tree) Bytes() []byte {
	e := encoder{offsets: map[string]uint32{}}
	if err := e.node(t.Root); err != nil {
		panic(err) // only a programming error: names with NUL bytes
	}
	e.u32(tokenEnd)

	rsv := make([]byte, 0, reservationEntry*(len(t.reservations)+1))
	for _, r := range append(t.reservations, [2]uint64{}) {
		rsv = binary.BigEndian.AppendUint64(rsv, r[0])
		rsv = binary.BigEndian.AppendUint64(rsv, r[1])
	}

	offRsv := uint32(headerSize)
	offStruct := offRsv + uint32(len(rsv))
	offStrings := offStruct + uint32(len(e.structs))
	total := offStrings + uint32(len(e.strings))

	out := make([]byte, 0, total)
	for _, v := range []uint32{Magic, total, offStruct, offStrings, offRsv, Version,
		LastCompVersion, t.BootCPU, uint32(len(e.strings)), uint32(len(e.structs))} {
		out = binary.BigEndian.AppendUint32(out, v)
	}
	out = append(out, rsv...)
	out = append(out, e.structs...)
	return append(out, e.strings...)
}

type encoder struct {
	structs []byte
	strings []byte
	offsets map[string]uint32 // property name -> offset in strings
}

func (e *encoder) u32(v uint32) { e.structs = binary.BigEndian.AppendUint32(e.structs, v) }

func (e *encoder) pad() {
	for len(e.structs)%4 != 0 {
		e.structs = append(e.structs, 0)
	}
}

func (e *encoder) node(n *Node) error {
	if err := checkName(n.name); err != nil {
		return err
	}
	e.u32(tokenBeginNode)
	e.structs = append(e.structs, n.name...)
	e.structs = append(e.structs, 0)
	e.pad()
	for _, p := range n.props {
		if err := checkName(p.name); err != nil {
			return err
		}
		e.u32(tokenProp)
		e.u32(uint32(len(p.value)))
		e.u32(e.nameOffset(p.name))
		e.structs = append(e.structs, p.value...)
		e.pad()
	}
	for _, c := range n.children {
		if err := e.node(c); err != nil {
			return err
		}
	}
	e.u32(tokenEndNode)
	return nil
}

func (e *encoder) nameOffset(name string) uint32 {
	if off, ok := e.offsets[name]; ok {
		return off
	}
	off := uint32(len(e.strings))
	e.strings = append(e.strings, name...)
	e.strings = append(e.strings, 0)
	e.offsets[name] = off
	return off
}

func checkName(s string) error {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return fmt.Errorf("fdt: name %q contains a NUL byte", s)
		}
	}
	return nil
}
