/* drivers_dht.h: the DHT22 (AM2302) and DHT11 driver (drivers_dht.c), for the sensor-driver table
 * in drivers.c. Built unless TD_NO_DHT. */
#ifndef TD_DRIVERS_DHT_H
#define TD_DRIVERS_DHT_H

#include "td.h"

void dht_setup(const uint8_t *rec);
uint8_t dht_poll(const uint8_t *rec, uint8_t *phase, uint32_t now, int32_t *val, uint16_t *wait);

/* The 5 bytes a DHT sent, as thousandths of a °C (val[0]) and of a % RH (val[1]): TD_READING_OK,
 * TD_SENSOR_FAULT_CRC (checksum wrong, or all zero: a line that only reads 0) or
 * TD_SENSOR_FAULT_OUT_OF_RANGE (outside the part's datasheet range). Pure. */
uint8_t dht_decode(uint8_t kind, const uint8_t sent[5], int32_t *val);

#endif
