/* CRC-16/XMODEM (frames) and CRC-32/ISO-HDLC (config images, zlib's crc32).
 * Host builds use 16-entry nibble tables; AVR builds avr-libc's CRC-16 and a bitwise CRC-32 (crc.c). */
#ifndef TD_CRC_H
#define TD_CRC_H

#include "td.h"

/* CRC-16/XMODEM: poly 0x1021, init 0, no reflection, no final XOR. Start from 0. */
uint16_t crc16_update(uint16_t crc, uint8_t byte);
uint16_t crc16(const uint8_t *data, size_t len);

/* CRC-32 incrementally, so a device can check an image chunk by chunk or byte by byte from
 * EEPROM: state = crc32_begin(); state = crc32_update(state, b)...; crc = crc32_end(state). */
uint32_t crc32_begin(void);
uint32_t crc32_update(uint32_t state, uint8_t byte);
uint32_t crc32_update_buf(uint32_t state, const uint8_t *data, size_t len);
uint32_t crc32_end(uint32_t state);
uint32_t crc32(const uint8_t *data, size_t len);

#endif /* TD_CRC_H */
