/* sim_world.c: the scenario and plant model (sim_scenario.c) for a host that loads them as a shared
 * library through ctypes (host/tendril/sim/scenario.py): the MicroPython virtual board and the
 * host's own plant runs use this very C, so every simulated board lives in one world.
 *
 * The host never mirrors sim_scenario_t's layout: it allocates sim_world_size() bytes and reads the
 * few things it needs through these calls. Built by `make -C firmware/sim world` (a checkout) or by
 * setup.py into the wheel (an installed tendril). */
#include <stdio.h>
#include <string.h>

#include "../core/hal.h" /* the HAL_I2C_* statuses the I2C calls answer with */
#include "sim_dht.h"
#include "sim_onewire.h"
#include "sim_scenario.h"

size_t sim_world_size(void) { return sizeof(sim_scenario_t); }

/* sim_scenario_line on a copy: the host's string stays as it was. */
int sim_world_line(sim_scenario_t *s, const sim_board_t *b, const char *text, char *err, size_t errlen)
{
    char line[SCN_LINE_MAX];
    if (strlen(text) >= sizeof line) {
        snprintf(err, errlen, "line longer than %d bytes", SCN_LINE_MAX - 1);
        return -1;
    }
    strcpy(line, text);
    return sim_scenario_line(s, b, line, err, errlen);
}

int sim_world_inputs(const sim_scenario_t *s) { return s->n_inputs; }

/* Input i's pin; *digital 1 for a level, 0 for an ADC value. */
int sim_world_input(const sim_scenario_t *s, int i, int *digital)
{
    *digital = s->in[i].digital;
    return s->in[i].pin;
}

/* The plant's pump pin (-1: no plant or no pump) and the level that runs it. */
int sim_world_pump(const sim_scenario_t *s, int *active_high)
{
    *active_high = s->plant.pump_active_high;
    return s->plant.enabled ? s->plant.pump_pin : -1;
}

int sim_world_has_plant(const sim_scenario_t *s) { return s->plant.enabled; }
double sim_world_moisture(const sim_scenario_t *s) { return s->plant.moisture; }
double sim_world_tank_ml(const sim_scenario_t *s) { return s->plant.tank_ml; }
int sim_world_tank_empty(const sim_scenario_t *s) { return !sim_plant_float_raw(&s->plant); }
void sim_world_refill(sim_scenario_t *s, double ml) { s->plant.tank_ml += ml; }

/* DS18B20 probes (the MicroPython board's models of onewire and ds18x20 drive these): the bus of
 * `pin` with the scenario's probes on it, its fault and temperatures at a board ms, the edges. */
size_t sim_world_bus_size(void) { return sizeof(ow_bus_t); }

int sim_world_bus_init(ow_bus_t *b, const sim_scenario_t *s, int pin)
{
    ow_init(b, (uint8_t)pin);
    for (uint8_t i = 0; i < s->n_probes; i++)
        if (s->probe[i].temp.pin == pin) ow_add(b, s->probe[i].rom);
    return b->n;
}

void sim_world_bus_update(ow_bus_t *b, const sim_scenario_t *s, uint32_t now_ms)
{
    uint8_t k = 0;
    b->fault = sim_probe_fault(s, b->pin, now_ms);
    for (uint8_t i = 0; i < s->n_probes; i++)
        if (s->probe[i].temp.pin == b->pin) b->probe[k++].milli_c = sim_probe_milli_c(s, i, now_ms);
}

/* HC-SR04 units (the MicroPython board's machine.time_pulse_us asks this): what a ping of the unit
 * whose echo is `echo` gets at a board ms (sim_sonar_ping's answer; SIM_SONAR_NONE with no unit). */
int sim_world_sonar_ping(const sim_scenario_t *s, int echo, uint32_t now_ms, uint32_t *rise_us, uint32_t *width_us)
{
    for (uint8_t i = 0; i < s->sonar.n; i++)
        if (s->sonar.unit[i].echo == echo)
            return sim_sonar_ping(&s->sonar, s->sonar.unit[i].trig, (uint8_t)echo, now_ms, rise_us, width_us);
    *rise_us = *width_us = 0;
    return SIM_SONAR_NONE;
}

/* Pulse sources (the MicroPython board's Pin.irq asks this): the next edge on `pin` after edge j
 * of pulse k (sim_pulse_next's answer, *k and *j moved past it; 0 with no source on the pin, or no
 * edge ever again). */
int sim_world_pulse_next(const sim_scenario_t *s, int pin, uint64_t *k, uint8_t *j, uint64_t *at_us, uint8_t *level)
{
    int i = pin >= 0 && pin < 256 ? sim_pulse_find(&s->pulse, (uint8_t)pin) : -1;
    sim_pulse_pos_t pos = {*k, *j};
    if (i < 0 || !sim_pulse_next(&s->pulse, (uint8_t)i, &pos, at_us, level)) return 0;
    *k = pos.k;
    *j = pos.j;
    return 1;
}

/* DHT22 / DHT11 (the MicroPython board's `dht` module asks this): the 5 bytes the scenario's DHT on
 * `pin` sends at a board ms to MicroPython's start signal (18 ms low), or 0 when none answers. */
int sim_world_dht_read(const sim_scenario_t *s, int pin, uint32_t now_ms, uint8_t out[5])
{
    return pin >= 0 && pin < 256 && sim_dht_answer(s, (uint8_t)pin, now_ms, 18000u, out);
}

/* I2C (the MicroPython board's machine.I2C, tendril.sim.i2c_model, asks these): whole transfers
 * on the scenario's bus at a board ms (sim_i2c.c's sim_i2c_xfer_*, which the native board's
 * hal_i2c_* play too), answered with hal.h's HAL_I2C_* statuses. Board time stands still during a
 * transfer. */
int sim_world_i2c_begin(sim_scenario_t *s, uint32_t now_ms)
{
    return sim_i2c_recover(&s->i2c, now_ms);
}

int sim_world_i2c_write(sim_scenario_t *s, int addr, const uint8_t *data, int len, int stop, uint32_t now_ms,
                        int *acks)
{
    *acks = 0;
    if (addr < 0 || addr > 0x7F) return HAL_I2C_NACK_ADDR;
    return sim_i2c_xfer_write(&s->i2c, (uint8_t)addr, data, len, stop, now_ms, now_ms, acks);
}

int sim_world_i2c_read(sim_scenario_t *s, int addr, uint8_t *data, int len, uint32_t now_ms)
{
    if (addr < 0 || addr > 0x7F) return HAL_I2C_NACK_ADDR;
    return sim_i2c_xfer_read(&s->i2c, (uint8_t)addr, data, len, now_ms, now_ms);
}

/* MicroPython's scan: an empty write to each address 0x08..0x77; the ones that ACK into found[]
 * (at most max), how many. */
int sim_world_i2c_scan(sim_scenario_t *s, uint32_t now_ms, uint8_t *found, int max)
{
    int n = 0, acks;
    for (int a = 0x08; a < 0x78 && n < max; a++)
        if (sim_world_i2c_write(s, a, NULL, 0, 1, now_ms, &acks) == HAL_I2C_OK) found[n++] = (uint8_t)a;
    return n;
}
