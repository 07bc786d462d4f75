/* A DHT22 or DHT11's answer as bytes (sim_dht.h): the datasheets' encoding, written from them. */
#include "sim_dht.h"

void sim_dht_frame(uint8_t kind, int32_t milli_c, int32_t milli_rh, int bad_sum, uint8_t out[5])
{
    int32_t t = milli_c / 100, h = milli_rh / 100; /* tenths */
    uint32_t mag = (uint32_t)(t < 0 ? -t : t);
    if (kind == SIM_DHT22) { /* tenths, big-endian; the temperature's top bit is its sign */
        out[0] = (uint8_t)(h >> 8);
        out[1] = (uint8_t)h;
        out[2] = (uint8_t)((mag >> 8) & 0x7Fu) | (t < 0 ? 0x80u : 0);
        out[3] = (uint8_t)mag;
    } else { /* whole units and tenths; the sign in the temperature's tenths byte */
        out[0] = (uint8_t)(h / 10);
        out[1] = (uint8_t)(h % 10);
        out[2] = (uint8_t)(mag / 10);
        out[3] = (uint8_t)(mag % 10) | (t < 0 ? 0x80u : 0);
    }
    out[4] = (uint8_t)(out[0] + out[1] + out[2] + out[3] + (bad_sum ? 1 : 0));
}
