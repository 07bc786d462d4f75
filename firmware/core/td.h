/* Common ground of the core: fixed-width types, the generated contract, compile-time checks and
 * the one place that knows constant tables live in program memory on AVR. */
#ifndef TD_H
#define TD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tendril_contract.h"

/* C99 has no _Static_assert: a negative array size stops the build instead. */
#define TD_STATIC_ASSERT(cond, name) typedef char td_static_assert_##name[(cond) ? 1 : -1]

/* On AVR, const data is copied to RAM at boot unless it is placed in program memory; the Uno has
 * only 2 KB of RAM. Everywhere else program memory is plain const. */
#if defined(__AVR__)
#include <avr/pgmspace.h>
#define TD_ROM PROGMEM
#define TD_ROM_U8(p) pgm_read_byte(p)
#define TD_ROM_U16(p) pgm_read_word(p)
#define TD_ROM_U32(p) pgm_read_dword(p)
#define TD_ROM_FN(type, p) ((type)pgm_read_word(p)) /* a function pointer in a TD_ROM table */
#else
#define TD_ROM
#define TD_ROM_U8(p) (*(p))
#define TD_ROM_U16(p) (*(p))
#define TD_ROM_U32(p) (*(p))
#define TD_ROM_FN(type, p) (*(p))
#endif

/* Keeps a function out of line. With -flto, avr-gcc inlines most functions into the main loop and
 * the register pressure that follows spills 32-bit values; each TD_NOINLINE in the core was
 * measured on the Uno build (firmware/Makefile) and saves flash there. Host builds: no effect. */
#if defined(__GNUC__)
#define TD_NOINLINE __attribute__((noinline))
#else
#define TD_NOINLINE
#endif

/* TD_NOINLINE, and never cloned for a constant argument: a function on a static struct reached
 * through its pointer argument (2-byte displacement loads) rather than a clone on the struct's
 * absolute address (4-byte lds/sts at every field). gcc only; clang has no clones to prevent. */
#if defined(__GNUC__) && !defined(__clang__)
#define TD_BYREF __attribute__((noinline, noclone))
#else
#define TD_BYREF TD_NOINLINE
#endif

#endif /* TD_H */
