/* sim_dht.h: a DHT22 (AM2302) or DHT11 in the simulated world, as the bytes it sends (sim_dht.c).
 * Pure. The native board answers hal_dht_read with them (the model at the HAL). */
#ifndef SIM_DHT_H
#define SIM_DHT_H

#include <stdint.h>

#define SIM_DHT22 1 /* the sensor-kind codes (contract/kinds.py SensorKind) */
#define SIM_DHT11 2
#define SIM_DHT22_START_US 1000u /* the shortest start signal each part answers (datasheets) */
#define SIM_DHT11_START_US 18000u

/* The 5 bytes a DHT of `kind` sends for milli_c (thousandths of a °C) and milli_rh (of a % RH),
 * truncated to tenths as the part does (a DHT11: whole units and tenths); `bad_sum`: the checksum
 * byte is wrong (a bit flipped on a long cable). */
void sim_dht_frame(uint8_t kind, int32_t milli_c, int32_t milli_rh, int bad_sum, uint8_t out[5]);

#endif
