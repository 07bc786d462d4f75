/* CRC-16/XMODEM (frames), CRC-32/ISO-HDLC (config images, zlib's crc32), CRC-8/MAXIM (1-Wire),
 * CRC-8 with poly 0x31 (SHT and AHT parts).
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

/* CRC-8/MAXIM (1-Wire): poly x^8 + x^5 + x^4 + 1 reflected (0x8C), init 0. A 1-Wire ROM code or
 * DS18B20 scratchpad ends in the CRC of the bytes before it, so the CRC of the whole is 0. */
uint8_t crc8_maxim(const uint8_t *data, uint8_t len);

/* The CRC-8 of Sensirion's SHT3x/SHT4x and the AHT20: poly x^8 + x^5 + x^4 + 1 (0x31) not
 * reflected, init 0xFF (CRC-8/NRSC-5 in the catalogues); each 16-bit word is followed by its CRC
 * (0xBEEF -> 0x92). */
uint8_t crc8_sensirion(const uint8_t *data, uint8_t len);

#endif /* TD_CRC_H */
