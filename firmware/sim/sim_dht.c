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

int sim_dht_answer(const sim_scenario_t *s, uint8_t pin, uint32_t now_ms, uint64_t low_us, uint8_t out[5])
{
    for (uint8_t i = 0; i < s->n_dhts; i++) {
        const scn_dht_t *d = &s->dht[i];
        if (d->pin != pin) continue;
        int fault = sim_probe_fault(s, pin, now_ms);
        if (fault == SCN_FAULT_UNPLUGGED) return 0;
        if (low_us < (d->kind == SIM_DHT11 ? SIM_DHT11_START_US : SIM_DHT22_START_US)) return 0; /* too short */
        /* out_of_range: what a failing part sends, 150 °C with a good checksum */
        sim_dht_frame(d->kind, fault == SCN_FAULT_OUT_OF_RANGE ? 150000 : sim_dht_milli(s, i, 0, now_ms),
                      sim_dht_milli(s, i, 1, now_ms), fault == SCN_FAULT_CRC, out);
        return 1;
    }
    return 0;
}
