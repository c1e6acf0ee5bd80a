// Package softfloat is exact IEEE 754-2019 binary32 and binary64 arithmetic
// in software, with the conventions of the RISC-V F and D extensions, for the
// rv64 hart to implement its floating-point instructions bit for bit.
//
// Every function is pure: operands and results are raw encodings (uint32 for
// binary32, uint64 for binary64), the rounding mode is an argument using the
// RISC-V rm encoding (RNE, RTZ, RDN, RUP, RMM), and the exception flags the
// operation raises are returned in the RISC-V fflags layout (NX, UF, OF, DZ,
// NV) for the caller to OR into fflags. Nothing allocates and nothing is kept
// between calls.
//
// RISC-V conventions chosen where IEEE 754 leaves a choice:
//   - Every NaN result is the canonical NaN (CanonicalNaN32/CanonicalNaN64);
//     payloads are never propagated. A signaling NaN operand raises NV.
//   - Tininess is detected after rounding: UF is raised when the result,
//     rounded as if the exponent range were unbounded, is below the smallest
//     normal magnitude and the delivered result is inexact.
//   - An overflow raises OF and NX and delivers infinity or the largest
//     finite magnitude, as the rounding mode dictates.
//   - The fused multiply-add raises NV for infinity times zero even when the
//     addend is a quiet NaN.
//   - Min and Max follow IEEE 754-2019 minimumNumber/maximumNumber: a single
//     NaN operand is ignored, -0 orders below +0, and NV is raised only for a
//     signaling NaN.
//   - Conversions to integers saturate: NaN and values too large give the
//     largest value of the type, values too negative give the smallest; all
//     of these raise NV alone. Otherwise an inexact conversion raises NX.
//
// Rounding-mode values outside 0..4 round to nearest, ties to even; the hart
// must reject the reserved encodings (illegal instruction) before calling.
package softfloat
