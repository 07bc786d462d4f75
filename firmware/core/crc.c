/* CRC-16/XMODEM and CRC-32/ISO-HDLC. Host builds: nibble tables. AVR: avr-libc's hand-written
 * _crc_xmodem_update (smaller and about twice as fast as the table: every frame sent and received
 * goes through it) and a bitwise CRC-32 (only image checks use it: flash matters, speed does not). */
#include "crc.h"

#if defined(__AVR__)
#include <util/crc16.h>

uint16_t crc16_update(uint16_t crc, uint8_t byte)
{
    return _crc_xmodem_update(crc, byte);
}

uint32_t crc32_update(uint32_t state, uint8_t byte)
{
    uint8_t k;
    state ^= byte;
    for (k = 0; k < 8; k++) {
        uint8_t lsb = (uint8_t)state & 1u;
        state >>= 1;
        if (lsb) state ^= 0xEDB88320UL;
    }
    return state;
}
#else

/* crc16_nibble[i]: the CRC-16 register i << 12 after four shifts through poly 0x1021. */
static const uint16_t crc16_nibble[16] TD_ROM = {
    0x0000, 0x1021, 0x2042, 0x3063, 0x4084, 0x50A5, 0x60C6, 0x70E7,
    0x8108, 0x9129, 0xA14A, 0xB16B, 0xC18C, 0xD1AD, 0xE1CE, 0xF1EF,
};

/* crc32_nibble[i]: the reflected CRC-32 register i after four shifts through poly 0xEDB88320. */
static const uint32_t crc32_nibble[16] TD_ROM = {
    0x00000000UL, 0x1DB71064UL, 0x3B6E20C8UL, 0x26D930ACUL,
    0x76DC4190UL, 0x6B6B51F4UL, 0x4DB26158UL, 0x5005713CUL,
    0xEDB88320UL, 0xF00F9344UL, 0xD6D6A3E8UL, 0xCB61B38CUL,
    0x9B64C2B0UL, 0x86D3D2D4UL, 0xA00AE278UL, 0xBDBDF21CUL,
};

uint16_t crc16_update(uint16_t crc, uint8_t byte)
{
    crc = (uint16_t)((crc << 4) ^ TD_ROM_U16(&crc16_nibble[((crc >> 12) ^ (byte >> 4)) & 0x0Fu]));
    crc = (uint16_t)((crc << 4) ^ TD_ROM_U16(&crc16_nibble[((crc >> 12) ^ byte) & 0x0Fu]));
    return crc;
}

uint32_t crc32_update(uint32_t state, uint8_t byte)
{
    state = (state >> 4) ^ TD_ROM_U32(&crc32_nibble[(state ^ byte) & 0x0Fu]);
    state = (state >> 4) ^ TD_ROM_U32(&crc32_nibble[(state ^ (uint32_t)(byte >> 4)) & 0x0Fu]);
    return state;
}
#endif /* __AVR__ */

uint16_t crc16(const uint8_t *data, size_t len)
{
    uint16_t crc = 0;
    size_t i;
    for (i = 0; i < len; i++) {
        crc = crc16_update(crc, data[i]);
    }
    return crc;
}

uint32_t crc32_begin(void)
{
    return 0xFFFFFFFFUL;
}

uint32_t crc32_update_buf(uint32_t state, const uint8_t *data, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++) {
        state = crc32_update(state, data[i]);
    }
    return state;
}

uint32_t crc32_end(uint32_t state)
{
    return state ^ 0xFFFFFFFFUL;
}

uint32_t crc32(const uint8_t *data, size_t len)
{
    return crc32_end(crc32_update_buf(crc32_begin(), data, len));
}

uint8_t crc8_maxim(const uint8_t *data, uint8_t len)
{
    uint8_t crc = 0, k, b;
    while (len--) {
        b = *data++;
        for (k = 0; k < 8; k++, b >>= 1) {
            crc = (uint8_t)(((crc ^ b) & 1u) ? (crc >> 1) ^ 0x8Cu : crc >> 1);
        }
    }
    return crc;
}

uint8_t crc8_sensirion(const uint8_t *data, uint8_t len)
{
    uint8_t crc = 0xFF, k;
    while (len--) {
        crc ^= *data++;
        for (k = 0; k < 8; k++) {
            crc = (uint8_t)((crc & 0x80u) ? ((unsigned)crc << 1) ^ 0x31u : (unsigned)crc << 1);
        }
    }
    return crc;
}
