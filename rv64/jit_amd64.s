//go:build linux && amd64

#include "textflag.h"

// func jitEnter(code uintptr, h *Hart) uint64
//
// Translated code needs no stack but the return address, keeps to AX, CX,
// DX, BX, SI, DI and R8-R13 (ABI0 code saves none of them for its
// caller), and returns the count in AX.
TEXT ·jitEnter(SB), NOSPLIT, $16-24
	MOVQ code+0(FP), AX
	MOVQ h+8(FP), BX
	CALL AX
	MOVQ AX, ret+16(FP)
	RET
