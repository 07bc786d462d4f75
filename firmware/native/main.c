/* The native simulated board: the real firmware (app_boot/app_poll) on hal_native.c, in a world
 * that a scenario describes: the scenario format and plant model every simulated board shares
 * (firmware/sim/README.md, "Scenario files"; sim_scenario.c), so one scenario file runs on any of
 * them. --plant and its options are a shorthand for the plant-waterer's `plant` line on an AVR
 * board's pins (A0, D2, D7).
 *
 *   tendril-native [--eeprom FILE] [--fast [--step MS] | --realtime [--speed X]] [--run-for MS]
 *                  [--plant [--moisture PCT] [--tank ML] [--dry-per-hour PCT] [--ml-per-point ML]
 *                  [--pump-pin N] [--pump-active-high]] [--scenario FILE] [--set LINE]...
 *                  [--cut-after N] [--worn-cell ADDR] [--seed N] [--hold]
 *
 * The board's clock is virtual: main.c moves it between two passes of the firmware's loop, 1 ms at a
 * time when paced (so a busy machine makes the board late, never its timing coarse) or --step ms at
 * a time with --fast (flat out). --speed X paces the board and its world at X device ms per real ms
 * (a demo that unfolds faster than life yet stays watchable). --hold starts the clock held and
 * takes clock commands on stdin (firmware/sim/sim_clock.h): the host can talk to the board while no
 * board time passes. The watchdog counts the board's CPU time (hal_native.c).
 *
 * stdout: `port: /dev/pts/N` (first line), nothing else. stderr: `t=<ms> pin|pwm <pin> <level>` for
 * every output change, `plant t=..ms moisture=.. tank_ml=.. pump=..` and `refill ...` as the
 * scenario asks, `reset: watchdog`, `power cut ...`, and a summary line at exit. */
#define _DEFAULT_SOURCE
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "hal.h"
#include "native.h"
#include "sim_clock.h"
#include "sim_onewire.h"
#include "sim_dht.h"
#include "sim_scenario.h"
#include "board.h"
#include "tendril_contract.h"

#ifndef NATIVE_BOARD
#define NATIVE_BOARD "uno"
#endif

/* Real-time pacing: the longest a board with nothing owed sleeps before catching up (wall ms). */
#define PACE_WAIT_MS 20

/* What changes as the world lives, carried across a watchdog reset (the world does not reset; the
 * scenario itself is read again from the same arguments). */
typedef struct {
    uint64_t world_ms;
    double moisture, tank_ml;
    int32_t refilled;
    uint64_t next_log_ms;
} world_t;

static world_t world;
static sim_scenario_t scn;
static ow_bus_t buses[SCN_MAX_PROBES]; /* one a pin with probes, built from the scenario */
static uint8_t n_buses;

struct ow_bus_s *native_ow_bus(uint8_t pin)
{
    for (uint8_t i = 0; i < n_buses; i++)
        if (buses[i].pin == pin) return &buses[i];
    return NULL;
}

uint64_t native_world_us(void) { return world.world_ms * 1000; }

int native_sonar_ping(uint8_t trig, uint8_t echo, uint32_t *rise_us, uint32_t *width_us)
{
    return sim_sonar_ping(&scn.sonar, trig, echo, (uint32_t)world.world_ms, rise_us, width_us);
}

int native_pulse_next(uint8_t pin, uint64_t *k, uint8_t *j, uint64_t *at_us, uint8_t *level)
{
    int i = sim_pulse_find(&scn.pulse, pin);
    sim_pulse_pos_t pos = {*k, *j};
    if (i < 0 || !sim_pulse_next(&scn.pulse, (uint8_t)i, &pos, at_us, level)) return 0;
    *k = pos.k;
    *j = pos.j;
    return 1;
}

struct sim_i2c_s *native_i2c_bus(void) { return &scn.i2c; }

int native_dht_answer(uint8_t pin, uint64_t low_us, uint8_t out[5])
{
    return sim_dht_answer(&scn, pin, (uint32_t)world.world_ms, low_us, out);
}

/* The scenario's probes on their buses (at power-on: scratchpads at 85 °C). */
static void wire_probes(void)
{
    for (uint8_t i = 0; i < scn.n_probes; i++) {
        ow_bus_t *b = native_ow_bus(scn.probe[i].temp.pin);
        if (b == NULL) ow_init(b = &buses[n_buses++], scn.probe[i].temp.pin);
        ow_add(b, scn.probe[i].rom);
    }
}
static const sim_board_t *board;
static sim_clock_t clock_ctl;

static void on_signal(int sig)
{
    (void)sig;
    native.stop = 1;
}

static void usage(void)
{
    fprintf(stderr, "usage: tendril-native [--eeprom FILE] [--fast [--step MS] | --realtime [--speed X]] [--run-for MS]\n"
                    "       [--plant [--moisture PCT] [--tank ML] [--dry-per-hour PCT] [--ml-per-point ML]\n"
                    "       [--pump-pin N] [--pump-active-high]] [--scenario FILE] [--set LINE]...\n"
                    "       [--cut-after N] [--worn-cell ADDR] [--seed N] [--hold]\n");
    exit(2);
}

/* A board with no AVR pin table (pico, esp32-devkit): its pins by number, from its own table
 * (boards/<board>.toml through tendril_boards.h), so a scenario says `adc 26 ...`. */
static sim_pin_t own_pins[TD_LIMIT_PINS];
static sim_board_t own_board;

static void need_pin_table(void)
{
    uint8_t p;
    if (board != NULL) return;
    for (p = 0; p < TD_BOARD->n_pins && p < TD_LIMIT_PINS; p++) {
        uint8_t caps = board_pin_caps(TD_BOARD, p);
        own_pins[p].port = (caps & (TD_PIN_CAP_DIGITAL_IN | TD_PIN_CAP_DIGITAL_OUT)) ? 'P' : SIM_NO_PORT;
        own_pins[p].adc = (caps & TD_PIN_CAP_ANALOG_IN) ? (int8_t)p : SIM_NO_ADC;
    }
    own_board.name = NATIVE_BOARD;
    own_board.n_pins = p;
    own_board.first_analog = p; /* no A<n> names */
    own_board.pins = own_pins;
    board = &own_board;
}

static void scenario_line(const char *text)
{
    char line[SCN_LINE_MAX], err[256];
    need_pin_table();
    snprintf(line, sizeof line, "%s", text);
    if (sim_scenario_line(&scn, board, line, err, sizeof err) < 0) {
        fprintf(stderr, "tendril-native: --set %s: %s\n", text, err);
        exit(2);
    }
}

static bool pump_on(void)
{
    int p = scn.plant.pump_pin;
    if (!scn.plant.enabled || p < 0 || p >= NATIVE_PINS || !native.driven[p]) return false;
    return scn.plant.pump_active_high ? native.level[p] >= 128 : native.level[p] < 128;
}

/* Inputs read what the scenario says they read at the world's time, ADC values in this board's
 * counts (its adc_bits, from boards/<board>.toml through tendril_boards.h). */
static void sense(void)
{
    uint8_t i;
    for (i = 0; i < n_buses; i++) {
        ow_bus_t *b = &buses[i];
        uint8_t k = 0;
        b->fault = sim_probe_fault(&scn, b->pin, (uint32_t)world.world_ms);
        for (uint8_t p = 0; p < scn.n_probes; p++)
            if (scn.probe[p].temp.pin == b->pin) b->probe[k++].milli_c = sim_probe_milli_c(&scn, p, (uint32_t)world.world_ms);
    }
    for (i = 0; i < scn.n_inputs; i++) {
        uint8_t pin = scn.in[i].pin;
        if (pin < NATIVE_PINS) {
            native.input[pin] = (uint16_t)sim_scenario_counts(&scn, i, (uint32_t)world.world_ms, TD_BOARD->adc_bits);
            native.input_set[pin] = true;
        }
    }
}

/* The world lives `ms`: the plant dries and drinks, a refill comes, the plant's log line is due. */
static void advance(uint32_t ms)
{
    scn_plant_t *pl = &scn.plant;
    world.world_ms += ms;
    if (!pl->enabled) return;
    if (sim_scenario_advance(&scn, world.world_ms, ms, pump_on()))
        fprintf(stderr, "refill t=%" PRIu64 "ms tank_ml=%.1f\n", world.world_ms, pl->tank_ml);
    if (pl->log_ms && world.world_ms >= world.next_log_ms) {
        fprintf(stderr, "plant t=%" PRIu64 "ms moisture=%.2f tank_ml=%.1f pump=%d\n", world.world_ms,
                pl->moisture, pl->tank_ml, pump_on());
        world.next_log_ms += pl->log_ms;
    }
    world.moisture = pl->moisture;
    world.tank_ml = pl->tank_ml;
    world.refilled = pl->refilled;
}

/* What the clock was told, for the next boot after a watchdog reset (only with --hold). */
static void native_clock_state(const sim_clock_t *c, uint64_t now_ms)
{
    if (c->fd >= 0 || c->held || c->until_ms != SIM_CLOCK_FOREVER) {
        sim_clock_state(c, now_ms, native.clock_state, sizeof native.clock_state);
    }
}

/* After a watchdog reset: the world as it was (hal_native.c hands it over in TD_NATIVE_WORLD). */
static void restore_world(void)
{
    const char *hex = getenv("TD_NATIVE_WORLD");
    uint8_t *w = (uint8_t *)&world;
    size_t i;
    world.moisture = scn.plant.moisture;
    world.tank_ml = scn.plant.tank_ml;
    world.next_log_ms = scn.plant.log_ms;
    if (hex == NULL || strlen(hex) != 2 * sizeof world) return;
    for (i = 0; i < sizeof world; i++) {
        unsigned b;
        if (sscanf(hex + 2 * i, "%2x", &b) != 1) return;
        w[i] = (uint8_t)b;
    }
    scn.plant.moisture = world.moisture;
    scn.plant.tank_ml = world.tank_ml;
    scn.plant.refilled = world.refilled;
}

int main(int argc, char **argv)
{
    uint32_t step = 1;
    uint64_t run_for = 0;
    uint64_t pace_from, paced_ms;
    int i, plant = 0, pump_pin = 7, pump_high = 0, hold = 0;
    double moisture = -1, tank = -1, dry = -1, ml_per_point = -1;
    const char *cut = getenv("TD_NATIVE_CUT_AFTER");
    char err[256];
    native_setup(argc, argv);
    native.eeprom_path = "tendril-eeprom.bin";
    native.cut_after = cut ? atol(cut) : 0;
    native.worn_cell = -1;
    board = sim_board_find(NATIVE_BOARD); /* the AVR boards' pin names; others: need_pin_table() */
    /* Options in two passes: the flags first, then the world in order (--plant, --scenario and
     * --set lines as given), so a later line changes what an earlier one said. */
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--fast") == 0) native.fast = true;
        else if (strcmp(a, "--realtime") == 0) native.fast = false;
        else if (strcmp(a, "--plant") == 0) plant = 1;
        else if (strcmp(a, "--pump-active-high") == 0) pump_high = 1;
        else if (strcmp(a, "--hold") == 0) hold = 1;
        else if (v == NULL) usage();
        else if (strcmp(a, "--eeprom") == 0) native.eeprom_path = v, i++;
        else if (strcmp(a, "--speed") == 0) native.speed = atof(v), i++;
        else if (strcmp(a, "--step") == 0) step = (uint32_t)strtoul(v, NULL, 10), i++;
        else if (strcmp(a, "--run-for") == 0) run_for = strtoull(v, NULL, 10), i++;
        else if (strcmp(a, "--cut-after") == 0) native.cut_after = atol(v), i++;
        else if (strcmp(a, "--worn-cell") == 0) native.worn_cell = atol(v), i++;
        else if (strcmp(a, "--seed") == 0) native.seed = (uint32_t)strtoul(v, NULL, 10), i++;
        else if (strcmp(a, "--scenario") == 0 || strcmp(a, "--set") == 0) i++;
        else if (strcmp(a, "--moisture") == 0) moisture = atof(v), i++;
        else if (strcmp(a, "--tank") == 0) tank = atof(v), i++;
        else if (strcmp(a, "--dry-per-hour") == 0) dry = atof(v), i++;
        else if (strcmp(a, "--ml-per-point") == 0) ml_per_point = atof(v), i++;
        else if (strcmp(a, "--pump-pin") == 0) pump_pin = atoi(v), i++;
        else usage();
    }
    if (plant) {
        char line[128];
        snprintf(line, sizeof line, "plant soil=A0 float=2 pump=%d pump_active=%s", pump_pin,
                 pump_high ? "high" : "low");
        scenario_line(line);
        if (moisture >= 0) scn.plant.moisture = moisture;
        if (tank >= 0) scn.plant.tank_ml = tank;
        if (dry >= 0) scn.plant.dry_per_hour = dry;
        if (ml_per_point > 0) scn.plant.ml_per_point = ml_per_point;
    }
    for (i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--scenario") == 0) {
            need_pin_table();
            if (sim_scenario_load(&scn, board, argv[i + 1], err, sizeof err) < 0) {
                fprintf(stderr, "tendril-native: %s\n", err);
                return 2;
            }
        } else if (strcmp(argv[i], "--set") == 0) {
            scenario_line(argv[i + 1]);
        }
    }
    if (step == 0) step = 1;
    if (native.speed == 0.0) native.speed = 1.0;
    if (!(native.speed > 0.0 && native.speed <= 1000.0)) usage();
    restore_world();
    native.world = &world;
    native.world_size = sizeof world;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    sim_clock_init(&clock_ctl, hold, STDIN_FILENO);
    native.control_fd = clock_ctl.fd;
    if (hold && getenv("TD_NATIVE_CLOCK") != NULL) {
        sim_clock_command(&clock_ctl, getenv("TD_NATIVE_CLOCK"), world.world_ms); /* after a reset */
    }
    wire_probes();
    sense();
    app_boot();
    pace_from = native_real_us();
    paced_ms = 0;
    while (!native.stop && (run_for == 0 || world.world_ms < run_for)) {
        uint64_t allowed;
        uint32_t due = 0;
        int idle;
        app_poll();
        sim_clock_poll(&clock_ctl, world.world_ms);
        native.control_fd = clock_ctl.fd;
        allowed = sim_clock_allowance(&clock_ctl, world.world_ms);
        if (allowed == 0) {
            pace_from = native_real_us(); /* a held clock does not catch up when let go */
            paced_ms = 0;
        } else if (native.fast) {
            due = step;
        } else {
            /* Paced: the ms owed to the wall clock, handed over 1 ms a pass so that every
             * deadline the firmware keeps lands on its own ms, however late the pass runs. */
            uint64_t owed = (uint64_t)((double)(native_real_us() - pace_from) / 1000.0 * native.speed);
            due = owed > paced_ms ? 1 : 0;
            paced_ms += due;
        }
        if (due > allowed) due = (uint32_t)allowed;
        if (run_for && due > run_for - world.world_ms) due = (uint32_t)(run_for - world.world_ms);
        idle = due == 0;
        if (due) {
            native.virtual_ms += due;
            advance(due);
            sense();
        }
        /* Nothing owed: sleep until bytes arrive or PACE_WAIT_MS have passed, then run the ms owed
         * by then one a pass, back to back (every ms still its own pass). Waking every ms cost a board
         * 19 ms of CPU a second at 10 Hz telemetry, 3 ms this way: a hundred boards share a host. */
        native_pump_uart(idle ? (allowed == 0 || native.fast ? 1 : PACE_WAIT_MS) : 0);
        native_clock_state(&clock_ctl, world.world_ms);
    }
    fprintf(stderr, "exit: simulated %llu ms in %lu ms real; eeprom writes %ld; moisture %.1f %% tank %.0f ml\n",
            (unsigned long long)world.world_ms, (unsigned long)native_real_ms(), native.eeprom_writes,
            scn.plant.moisture, scn.plant.tank_ml);
    return 0;
}
