/* The native simulated board: the real firmware (app_boot/app_poll) on hal_native.c, in a world
 * of its own: a pot of soil, a water tank with a float switch, and a pump on an output pin
 * (host/tendril/sim/plant.py, in C), or inputs from a scenario file.
 *
 *   tendril-native [--eeprom FILE] [--fast [--step MS] | --realtime [--speed X]] [--run-for MS]
 *                  [--plant [--moisture PCT] [--tank ML] [--dry-per-hour PCT] [--ml-per-point ML]]
 *                  [--scenario FILE] [--cut-after N] [--seed N]
 *
 * --speed X paces the board and its world at X device ms per real ms (a demo that unfolds faster than
 * life yet stays watchable; --fast runs unpaced). The watchdog stays on real time.
 *
 * stdout: `port: /dev/pts/N` (first line), nothing else. stderr: `t=<ms> pin|pwm <pin> <level>` for
 * every output change, `reset: watchdog`, `power cut ...`, and a summary line at exit. */
#define _DEFAULT_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "hal.h"
#include "native.h"

#define SOIL_PIN 14  /* A0 */
#define FLOAT_PIN 2  /* D2: switch to ground, closed (0) when the tank is empty */
#define MAX_STEPS 256

typedef struct {
    double moisture;      /* % */
    double tank_ml;
    double dry_per_hour;  /* percentage points lost per hour */
    double pump_ml_per_s;
    double ml_per_point;  /* water that raises the soil one point */
    double empty_below_ml;
    uint64_t world_ms;    /* time in the world: it goes on across board resets */
    uint32_t rng;
    uint8_t pump_pin;
    uint8_t pump_active_low;
    uint8_t plant;        /* the plant model drives the inputs */
    uint8_t pad;
} world_t;

static world_t world = {45.0, 400.0, 3.0, 20.0, 4.0, 30.0, 0, 7, 7, 1, 0, 0};

static struct { uint64_t t; uint8_t pin; uint16_t raw; } steps[MAX_STEPS];
static int n_steps, next_step;
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void usage(void)
{
    fprintf(stderr, "usage: tendril-native [--eeprom FILE] [--fast [--step MS] | --realtime [--speed X]] [--run-for MS]\n"
                    "       [--plant [--moisture PCT] [--tank ML] [--dry-per-hour PCT] [--ml-per-point ML]]\n"
                    "       [--pump-pin N] [--pump-active-high] [--scenario FILE] [--cut-after N] [--worn-cell ADDR] [--seed N]\n");
    exit(2);
}

/* Scenario file: lines `t_ms pin raw` (from t_ms on, the pin reads raw), `#` comments. */
static void load_scenario(const char *path)
{
    char line[128];
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    while (fgets(line, sizeof line, f) != NULL && n_steps < MAX_STEPS) {
        unsigned long long t;
        unsigned pin, raw;
        if (line[0] != '#' && sscanf(line, "%llu %u %u", &t, &pin, &raw) == 3 && pin < NATIVE_PINS) {
            steps[n_steps].t = t;
            steps[n_steps].pin = (uint8_t)pin;
            steps[n_steps].raw = (uint16_t)raw;
            n_steps++;
        }
    }
    fclose(f);
}

static void set_input(uint8_t pin, uint16_t raw)
{
    native.input[pin] = raw;
    native.input_set[pin] = true;
}

static bool pump_on(void)
{
    uint8_t p = world.pump_pin;
    if (!native.driven[p]) return false;
    return world.pump_active_low ? native.level[p] < 128 : native.level[p] >= 128;
}

/* plant.py's advance(): the soil dries, the pump moves water from the tank into it. */
static void advance(uint32_t ms)
{
    double s = ms / 1000.0;
    world.world_ms += ms;
    while (next_step < n_steps && steps[next_step].t <= world.world_ms) {
        set_input(steps[next_step].pin, steps[next_step].raw);
        next_step++;
    }
    if (!world.plant) return;
    world.moisture -= world.dry_per_hour * s / 3600.0;
    if (pump_on() && world.tank_ml > 0) {
        double water = world.pump_ml_per_s * s;
        if (water > world.tank_ml) water = world.tank_ml;
        world.tank_ml -= water;
        world.moisture += water / world.ml_per_point;
    }
    if (world.moisture > 100.0) world.moisture = 100.0;
    if (world.moisture < 0.0) world.moisture = 0.0;
}

/* plant.py's soil_raw() and float_raw(): dry 800, wet 350, +-3 counts of noise. */
static void sense(void)
{
    double raw;
    int noise;
    if (!world.plant) return;
    world.rng = world.rng * 1103515245u + 12345u;
    noise = (int)((world.rng >> 16) % 7) - 3;
    raw = 800.0 + (350.0 - 800.0) * world.moisture / 100.0 + noise + 0.5;
    set_input(SOIL_PIN, (uint16_t)(raw < 0 ? 0 : raw > 1023 ? 1023 : raw));
    set_input(FLOAT_PIN, world.tank_ml < world.empty_below_ml ? 0 : 1);
}

static void restore_world(void)
{
    const char *hex = getenv("TD_NATIVE_WORLD");
    uint8_t *w = (uint8_t *)&world;
    size_t i;
    if (hex == NULL || strlen(hex) != 2 * sizeof world) return;
    for (i = 0; i < sizeof world; i++) {
        unsigned b;
        if (sscanf(hex + 2 * i, "%2x", &b) != 1) return;
        w[i] = (uint8_t)b;
    }
}

int main(int argc, char **argv)
{
    uint32_t step = 1;
    uint64_t run_for = 0;
    uint32_t last_ms;
    int i;
    const char *cut = getenv("TD_NATIVE_CUT_AFTER");
    native_setup(argc, argv);
    native.eeprom_path = "tendril-eeprom.bin";
    native.cut_after = cut ? atol(cut) : 0;
    native.worn_cell = -1;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--fast") == 0) native.fast = true;
        else if (strcmp(a, "--realtime") == 0) native.fast = false;
        else if (strcmp(a, "--plant") == 0) world.plant = 1;
        else if (strcmp(a, "--pump-active-high") == 0) world.pump_active_low = 0;
        else if (v == NULL) usage();
        else if (strcmp(a, "--eeprom") == 0) native.eeprom_path = v, i++;
        else if (strcmp(a, "--speed") == 0) native.speed = atof(v), i++;
        else if (strcmp(a, "--step") == 0) step = (uint32_t)strtoul(v, NULL, 10), i++;
        else if (strcmp(a, "--run-for") == 0) run_for = strtoull(v, NULL, 10), i++;
        else if (strcmp(a, "--cut-after") == 0) native.cut_after = atol(v), i++;
        else if (strcmp(a, "--worn-cell") == 0) native.worn_cell = atol(v), i++;
        else if (strcmp(a, "--seed") == 0) native.seed = (uint32_t)strtoul(v, NULL, 10), i++;
        else if (strcmp(a, "--scenario") == 0) load_scenario(v), i++;
        else if (strcmp(a, "--moisture") == 0) world.moisture = atof(v), i++;
        else if (strcmp(a, "--tank") == 0) world.tank_ml = atof(v), i++;
        else if (strcmp(a, "--dry-per-hour") == 0) world.dry_per_hour = atof(v), i++;
        else if (strcmp(a, "--ml-per-point") == 0) world.ml_per_point = atof(v), i++;
        else if (strcmp(a, "--pump-pin") == 0) world.pump_pin = (uint8_t)(atoi(v) % NATIVE_PINS), i++;
        else usage();
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
    sense();
    app_boot();
    last_ms = hal_millis();
    while (!stop && (run_for == 0 || world.world_ms < run_for)) {
        native_pump_uart(!native.fast);
        app_poll();
        if (native.fast) {
            native.virtual_ms += step;
            advance(step);
        } else {
            uint32_t now = hal_millis(); /* real time, times --speed */
            advance(now - last_ms);
            last_ms = now;
        }
        sense();
    }
    fprintf(stderr, "exit: simulated %llu ms in %lu ms real; eeprom writes %ld; moisture %.1f %% tank %.0f ml\n",
            (unsigned long long)world.world_ms, (unsigned long)native_real_ms(), native.eeprom_writes,
            world.moisture, world.tank_ml);
    return 0;
}
