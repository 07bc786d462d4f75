/* sim_scenario.c: scenario files and the plant model (see sim_scenario.h, README.md). */
#include "sim_scenario.h"
#include "sim_dht.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sim_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

int64_t sim_parse_ms(const char *text)
{
    char *end;
    errno = 0;
    double n = strtod(text, &end);
    if (end == text || errno || n < 0) return -1;
    double scale;
    if (*end == '\0' || strcmp(end, "ms") == 0) scale = 1;
    else if (strcmp(end, "s") == 0) scale = 1000;
    else if (strcmp(end, "min") == 0) scale = 60000;
    else if (strcmp(end, "h") == 0) scale = 3600000;
    else return -1;
    double ms = n * scale;
    return ms > 4294967295.0 ? -1 : (int64_t)(ms + 0.5);
}

int sim_parse_points(char **tok, int ntok, int max, double lo, double hi, double scale,
                     const char *what, const char *unit, uint32_t *t_ms, int32_t *v, uint8_t *n,
                     char *err, size_t errlen)
{
    if (ntok > max) return sim_fail(err, errlen, "more than %d points", max);
    *n = 0;
    for (int i = 0; i < ntok; i++) {
        char *colon = strchr(tok[i], ':'), *end;
        int64_t t = 0;
        if (colon) {
            *colon = '\0';
            t = sim_parse_ms(tok[i]);
            if (t < 0) return sim_fail(err, errlen, "bad time %s (ms, or a number with s, min, h)", tok[i]);
        }
        const char *text = colon ? colon + 1 : tok[i];
        double x = strtod(text, &end);
        if (end == text || *end || x < lo || x > hi)
            return sim_fail(err, errlen, "bad %s %s (%s, %g .. %g)", what, text, unit, lo, hi);
        if (*n && (uint32_t)t <= t_ms[*n - 1]) return sim_fail(err, errlen, "series times must increase");
        t_ms[*n] = (uint32_t)t;
        v[(*n)++] = (int32_t)(x * scale + (x < 0 ? -0.5 : 0.5));
    }
    return 0;
}

static int parse_int(const char *text, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

static scn_input_t *input_for(sim_scenario_t *s, int pin, char *err, size_t errlen)
{
    for (uint8_t i = 0; i < s->n_inputs; i++)
        if (s->in[i].pin == pin) {
            sim_fail(err, errlen, "pin %d already has an input", pin);
            return NULL;
        }
    if (s->n_inputs >= SCN_MAX_INPUTS) {
        sim_fail(err, errlen, "more than %d inputs", SCN_MAX_INPUTS);
        return NULL;
    }
    scn_input_t *in = &s->in[s->n_inputs++];
    memset(in, 0, sizeof *in);
    in->pin = (uint8_t)pin;
    return in;
}

/* adc|digital <pin> [steps] <value> | <t>:<value> ... */
static int parse_input(sim_scenario_t *s, const sim_board_t *b, int digital, char **tok, int ntok,
                       char *err, size_t errlen)
{
    int steps = digital;
    if (ntok >= 3 && strcmp(tok[2], "steps") == 0) { /* drop the keyword */
        steps = 1;
        for (int i = 2; i + 1 < ntok; i++) tok[i] = tok[i + 1];
        ntok--;
    }
    if (ntok < 3) return sim_fail(err, errlen, "%s needs a pin and a value", tok[0]);
    int pin = sim_board_parse_pin(b, tok[1]);
    if (pin < 0) return sim_fail(err, errlen, "%s has no pin %s", b->name, tok[1]);
    if (!digital && b->pins[pin].adc == SIM_NO_ADC)
        return sim_fail(err, errlen, "pin %s is not an analog input on %s", tok[1], b->name);
    if (digital && b->pins[pin].port == SIM_NO_PORT)
        return sim_fail(err, errlen, "pin %s is not a digital pin on %s", tok[1], b->name);
    if (ntok - 2 > SCN_MAX_POINTS) return sim_fail(err, errlen, "more than %d points", SCN_MAX_POINTS);
    scn_input_t *in = input_for(s, pin, err, errlen);
    if (!in) return -1;
    in->digital = (uint8_t)digital;
    in->steps = (uint8_t)steps;
    long hi = digital ? 1 : 1023;
    for (int i = 2; i < ntok; i++) {
        char *colon = strchr(tok[i], ':');
        int64_t t = 0;
        if (colon) {
            *colon = '\0';
            t = sim_parse_ms(tok[i]);
            if (t < 0) return sim_fail(err, errlen, "bad time %s (ms, or a number with s, min, h)", tok[i]);
        } else if (ntok != 3) {
            return sim_fail(err, errlen, "a series is <time>:<value> pairs");
        }
        long v;
        if (parse_int(colon ? colon + 1 : tok[i], 0, hi, &v) < 0)
            return sim_fail(err, errlen, "bad value %s (0..%ld)", colon ? colon + 1 : tok[i], hi);
        if (in->n && (uint32_t)t <= in->t_ms[in->n - 1])
            return sim_fail(err, errlen, "series times must increase");
        in->t_ms[in->n] = (uint32_t)t;
        in->v[in->n++] = (int32_t)v;
    }
    return 0;
}

static void plant_defaults(scn_plant_t *p)
{
    memset(p, 0, sizeof *p);
    p->moisture = 45.0;
    p->tank_ml = 400.0;
    p->dry_per_hour = 3.0;
    p->pump_ml_per_s = 20.0;
    p->ml_per_point = 4.0;
    p->empty_below_ml = 30.0;
    p->dry_raw = 800;
    p->wet_raw = 350;
    p->noise_raw = 3;
    p->seed = 7;
    p->pump_pin = -1;
    p->pump_active_high = 1;
}

static int plant_key(sim_scenario_t *s, const sim_board_t *b, const char *key, char *val,
                     char *err, size_t errlen)
{
    scn_plant_t *p = &s->plant;
    static const struct { const char *name; size_t off; } reals[] = {
        { "moisture", offsetof(scn_plant_t, moisture) },
        { "tank_ml", offsetof(scn_plant_t, tank_ml) },
        { "dry_per_hour", offsetof(scn_plant_t, dry_per_hour) },
        { "pump_ml_per_s", offsetof(scn_plant_t, pump_ml_per_s) },
        { "ml_per_point", offsetof(scn_plant_t, ml_per_point) },
        { "empty_below_ml", offsetof(scn_plant_t, empty_below_ml) },
    };
    for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++) {
        if (strcmp(key, reals[i].name) != 0) continue;
        char *end;
        double v = strtod(val, &end);
        if (end == val || *end || v < 0) return sim_fail(err, errlen, "plant %s: bad number %s", key, val);
        *(double *)((char *)p + reals[i].off) = v;
        return 0;
    }
    long v;
    if (strcmp(key, "dry_raw") == 0 || strcmp(key, "wet_raw") == 0 || strcmp(key, "noise_raw") == 0) {
        if (parse_int(val, 0, 1023, &v) < 0) return sim_fail(err, errlen, "plant %s: 0..1023", key);
        *(key[0] == 'd' ? &p->dry_raw : key[0] == 'w' ? &p->wet_raw : &p->noise_raw) = (int)v;
        return 0;
    }
    if (strcmp(key, "seed") == 0) {
        if (parse_int(val, 0, 0x7FFFFFFF, &v) < 0) return sim_fail(err, errlen, "plant seed: a number");
        p->seed = (uint32_t)v;
        return 0;
    }
    if (strcmp(key, "log") == 0) {
        int64_t ms = sim_parse_ms(val);
        if (ms < 0) return sim_fail(err, errlen, "plant log: a duration");
        p->log_ms = (uint32_t)ms;
        return 0;
    }
    if (strcmp(key, "refill") == 0) { /* refill=<time>:<ml> */
        char *colon = strchr(val, ':');
        char *end;
        if (!colon) return sim_fail(err, errlen, "plant refill=<time>:<ml>");
        *colon = '\0';
        int64_t ms = sim_parse_ms(val);
        double ml = strtod(colon + 1, &end);
        if (ms < 0 || end == colon + 1 || *end || ml <= 0) return sim_fail(err, errlen, "plant refill=<time>:<ml>");
        p->refill_at_ms = (uint32_t)ms;
        p->refill_ml = ml;
        return 0;
    }
    if (strcmp(key, "pump_active") == 0) {
        if (strcmp(val, "high") && strcmp(val, "low")) return sim_fail(err, errlen, "plant pump_active: high or low");
        p->pump_active_high = strcmp(val, "high") == 0;
        return 0;
    }
    if (strcmp(key, "soil") == 0 || strcmp(key, "float") == 0 || strcmp(key, "pump") == 0) {
        int pin = sim_board_parse_pin(b, val);
        if (pin < 0) return sim_fail(err, errlen, "plant %s: %s has no pin %s", key, b->name, val);
        if (key[0] == 'p') {
            if (b->pins[pin].port == SIM_NO_PORT) return sim_fail(err, errlen, "plant pump: %s is analog only", val);
            p->pump_pin = pin;
            return 0;
        }
        int soil = key[0] == 's';
        if (soil && b->pins[pin].adc == SIM_NO_ADC) return sim_fail(err, errlen, "plant soil: %s is not analog", val);
        if (!soil && b->pins[pin].port == SIM_NO_PORT) return sim_fail(err, errlen, "plant float: %s is analog only", val);
        scn_input_t *in = input_for(s, pin, err, errlen);
        if (!in) return -1;
        in->digital = (uint8_t)!soil;
        in->source = soil ? SCN_PLANT_SOIL : SCN_PLANT_FLOAT;
        return 0;
    }
    return sim_fail(err, errlen, "plant: unknown key %s", key);
}

/* `ds18b20 PIN [rom=HEX16] [<time>:]<°C> ...`: a probe on the 1-Wire bus of PIN. */
static int parse_probe(sim_scenario_t *s, const sim_board_t *b, char **tok, int ntok, char *err, size_t errlen)
{
    int pin = ntok >= 2 ? sim_board_parse_pin(b, tok[1]) : -1;
    if (pin < 0) return sim_fail(err, errlen, "ds18b20 needs a pin of %s", b->name);
    if (b->pins[pin].port == SIM_NO_PORT) return sim_fail(err, errlen, "pin %s is not a digital pin on %s", tok[1], b->name);
    if (s->n_probes >= SCN_MAX_PROBES) return sim_fail(err, errlen, "more than %d ds18b20 probes", SCN_MAX_PROBES);
    scn_probe_t *p = &s->probe[s->n_probes];
    memset(p, 0, sizeof *p);
    p->temp.pin = (uint8_t)pin;
    int i = 2;
    if (i < ntok && strncmp(tok[i], "rom=", 4) == 0) {
        const char *hex = tok[i++] + 4;
        if (strlen(hex) != 16) return sim_fail(err, errlen, "rom= takes 16 hex digits, family byte first");
        for (int k = 0; k < 8; k++) {
            char two[3] = {hex[2 * k], hex[2 * k + 1], 0}, *end;
            p->rom[k] = (uint8_t)strtoul(two, &end, 16);
            if (*end) return sim_fail(err, errlen, "rom= takes 16 hex digits, not %s", hex);
        }
    }
    if (i >= ntok) return sim_fail(err, errlen, "ds18b20 needs a temperature (°C), or <time>:<°C> points");
    if (sim_parse_points(tok + i, ntok - i, SCN_MAX_POINTS, -60, 130, 1000, "temperature", "°C",
                         p->temp.t_ms, p->temp.v, &p->temp.n, err, errlen) < 0)
        return -1;
    s->n_probes++;
    return 0;
}

/* `ds18b20_fault PIN unplugged|crc|held_low|power_on FROM UNTIL`. */
static int parse_probe_fault(sim_scenario_t *s, const sim_board_t *b, char **tok, int ntok, char *err, size_t errlen)
{
    static const char *const kinds[] = {"unplugged", "crc", "held_low", "power_on"};
    if (ntok != 5) return sim_fail(err, errlen, "ds18b20_fault PIN unplugged|crc|held_low|power_on FROM UNTIL");
    int pin = sim_board_parse_pin(b, tok[1]);
    if (pin < 0) return sim_fail(err, errlen, "%s has no pin %s", b->name, tok[1]);
    if (s->n_faults >= SCN_MAX_FAULTS) return sim_fail(err, errlen, "more than %d faults", SCN_MAX_FAULTS);
    scn_fault_t *f = &s->fault[s->n_faults];
    f->kind = SCN_FAULT_NONE;
    for (int k = 0; k < 4; k++)
        if (strcmp(tok[2], kinds[k]) == 0) f->kind = (uint8_t)(SCN_FAULT_UNPLUGGED + k);
    if (f->kind == SCN_FAULT_NONE) return sim_fail(err, errlen, "unknown fault %s (unplugged, crc, held_low, power_on)", tok[2]);
    int64_t from = sim_parse_ms(tok[3]), until = sim_parse_ms(tok[4]);
    if (from < 0 || until <= from) return sim_fail(err, errlen, "a fault holds FROM .. UNTIL, UNTIL later (%s %s)", tok[3], tok[4]);
    f->pin = (uint8_t)pin;
    f->from_ms = (uint32_t)from;
    f->until_ms = (uint32_t)until;
    s->n_faults++;
    return 0;
}

/* `dht22 PIN <°C> <%RH>` or `dht11 ...`, or `dht22 PIN <°C points> / <%RH points>`: a DHT on PIN. */
static int parse_dht(sim_scenario_t *s, const sim_board_t *b, char **tok, int ntok, char *err, size_t errlen)
{
    int pin = ntok >= 4 ? sim_board_parse_pin(b, tok[1]) : -1, slash = -1;
    if (pin < 0) return sim_fail(err, errlen, "%s PIN <°C> <%%RH> (or <°C points> / <%%RH points>), with a pin of %s", tok[0], b->name);
    if (b->pins[pin].port == SIM_NO_PORT) return sim_fail(err, errlen, "pin %s is not a digital pin on %s", tok[1], b->name);
    if (s->n_dhts >= SCN_MAX_DHTS) return sim_fail(err, errlen, "more than %d DHTs", SCN_MAX_DHTS);
    for (int k = 2; k < ntok; k++)
        if (strcmp(tok[k], "/") == 0) slash = k;
    if (slash < 0 ? ntok != 4 : slash == 2 || slash == ntok - 1) /* no `/`: one value each */
        return sim_fail(err, errlen, "%s PIN <°C> <%%RH>, or <°C points> / <%%RH points>", tok[0]);
    int n_temp = slash < 0 ? 1 : slash - 2, after = slash < 0 ? 3 : slash + 1;
    scn_dht_t *d = &s->dht[s->n_dhts];
    if (sim_parse_points(tok + 2, n_temp, SCN_MAX_POINTS, -100, 150, 1000, "temperature", "°C", d->temp.t_ms,
                         d->temp.v, &d->temp.n, err, errlen) < 0 ||
        sim_parse_points(tok + after, ntok - after, SCN_MAX_POINTS, 0, 100, 1000, "humidity", "%RH", d->rh.t_ms,
                         d->rh.v, &d->rh.n, err, errlen) < 0)
        return -1;
    d->pin = d->temp.pin = d->rh.pin = (uint8_t)pin;
    d->kind = strcmp(tok[0], "dht11") == 0 ? SIM_DHT11 : SIM_DHT22;
    s->n_dhts++;
    return 0;
}

/* `dht_fault PIN no_answer|crc|out_of_range FROM UNTIL`. */
static int parse_dht_fault(sim_scenario_t *s, const sim_board_t *b, char **tok, int ntok, char *err, size_t errlen)
{
    static const char *const names[] = {"no_answer", "crc", "out_of_range"};
    static const uint8_t kinds[] = {SCN_FAULT_UNPLUGGED, SCN_FAULT_CRC, SCN_FAULT_OUT_OF_RANGE};
    if (ntok != 5) return sim_fail(err, errlen, "dht_fault PIN no_answer|crc|out_of_range FROM UNTIL");
    int pin = sim_board_parse_pin(b, tok[1]);
    if (pin < 0) return sim_fail(err, errlen, "%s has no pin %s", b->name, tok[1]);
    if (s->n_faults >= SCN_MAX_FAULTS) return sim_fail(err, errlen, "more than %d faults", SCN_MAX_FAULTS);
    scn_fault_t *f = &s->fault[s->n_faults];
    f->kind = SCN_FAULT_NONE;
    for (int k = 0; k < 3; k++)
        if (strcmp(tok[2], names[k]) == 0) f->kind = kinds[k];
    if (f->kind == SCN_FAULT_NONE) return sim_fail(err, errlen, "unknown DHT fault %s (no_answer, crc, out_of_range)", tok[2]);
    int64_t from = sim_parse_ms(tok[3]), until = sim_parse_ms(tok[4]);
    if (from < 0 || until <= from) return sim_fail(err, errlen, "a fault holds FROM .. UNTIL, UNTIL later (%s %s)", tok[3], tok[4]);
    f->pin = (uint8_t)pin;
    f->from_ms = (uint32_t)from;
    f->until_ms = (uint32_t)until;
    s->n_faults++;
    return 0;
}

int sim_scenario_line(sim_scenario_t *s, const sim_board_t *b, char *line, char *err, size_t errlen)
{
    char *hash = strchr(line, '#');
    if (hash) *hash = '\0';
    char *tok[SCN_MAX_POINTS + 4];
    int ntok = 0;
    for (char *t = strtok(line, " \t\r\n"); t; t = strtok(NULL, " \t\r\n")) {
        if (ntok == (int)(sizeof tok / sizeof tok[0])) return sim_fail(err, errlen, "line too long");
        tok[ntok++] = t;
    }
    if (ntok == 0) return 0;
    if (strcmp(tok[0], "adc") == 0) return parse_input(s, b, 0, tok, ntok, err, errlen);
    if (strcmp(tok[0], "digital") == 0) return parse_input(s, b, 1, tok, ntok, err, errlen);
    if (strcmp(tok[0], "plant") == 0) {
        if (s->plant.enabled) return sim_fail(err, errlen, "only one plant line");
        plant_defaults(&s->plant);
        s->plant.enabled = 1;
        for (int i = 1; i < ntok; i++) {
            char *eq = strchr(tok[i], '=');
            if (!eq) return sim_fail(err, errlen, "plant takes key=value, not %s", tok[i]);
            *eq = '\0';
            if (plant_key(s, b, tok[i], eq + 1, err, errlen) < 0) return -1;
        }
        return 0;
    }
    if (strcmp(tok[0], "ds18b20") == 0) return parse_probe(s, b, tok, ntok, err, errlen);
    if (strcmp(tok[0], "ds18b20_fault") == 0) return parse_probe_fault(s, b, tok, ntok, err, errlen);
    if (strncmp(tok[0], "hcsr04", 6) == 0) return sim_sonar_line(&s->sonar, b, tok, ntok, err, errlen);
    if (strcmp(tok[0], "dht22") == 0 || strcmp(tok[0], "dht11") == 0) return parse_dht(s, b, tok, ntok, err, errlen);
    if (strcmp(tok[0], "dht_fault") == 0) return parse_dht_fault(s, b, tok, ntok, err, errlen);
    if (strncmp(tok[0], "pulse", 5) == 0) return sim_pulse_line(&s->pulse, b, tok, ntok, err, errlen);
    if (strncmp(tok[0], "i2c", 3) == 0) return sim_i2c_line(&s->i2c, tok, ntok, err, errlen);
    return sim_fail(err, errlen, "unknown line kind %s (adc, digital, plant, ds18b20, ds18b20_fault, dht22, dht11, dht_fault, hcsr04, hcsr04_fault, "
                "pulse, pulse_fault, i2c, i2c_fault)", tok[0]);
}

int sim_scenario_load(sim_scenario_t *s, const sim_board_t *b, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) return sim_fail(err, errlen, "%s: %s", path, strerror(errno));
    char line[SCN_LINE_MAX], why[200];
    int n = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        n++;
        if (!strchr(line, '\n') && !feof(f)) {
            rc = sim_fail(err, errlen, "%s:%d: line longer than %d bytes", path, n, SCN_LINE_MAX - 1);
            break;
        }
        if (sim_scenario_line(s, b, line, why, sizeof why) < 0) {
            rc = sim_fail(err, errlen, "%s:%d: %s", path, n, why);
            break;
        }
    }
    fclose(f);
    return rc;
}

/* The sensor's noise at board ms t: a hash of the seed and t (a 32-bit integer mixer), not a
 * generator's next draw, so a reading at a given board ms is the same on every simulated board
 * however often or rarely its firmware reads (the native board senses every ms, simavr every
 * loop, the MicroPython board when its firmware asks). */
static uint32_t noise_at(uint32_t seed, uint32_t t)
{
    uint32_t x = (seed * 0x9E3779B9u) ^ t;
    x ^= x >> 16;
    x *= 0x7FEB352Du;
    x ^= x >> 15;
    x *= 0x846CA68Bu;
    x ^= x >> 16;
    return x;
}

void sim_plant_advance(scn_plant_t *p, double ms, int pump_on)
{
    double seconds = ms / 1000.0;
    p->moisture -= p->dry_per_hour * seconds / 3600.0;
    if (pump_on && p->tank_ml > 0) {
        double water = p->pump_ml_per_s * seconds;
        if (water > p->tank_ml) water = p->tank_ml;
        p->tank_ml -= water;
        p->moisture += water / p->ml_per_point;
    }
    if (p->moisture > 100.0) p->moisture = 100.0;
    if (p->moisture < 0.0) p->moisture = 0.0;
}

int sim_plant_soil_raw(const scn_plant_t *p, uint32_t now_ms)
{
    double raw = p->dry_raw + (p->wet_raw - p->dry_raw) * p->moisture / 100.0;
    if (p->noise_raw) raw += (int)(noise_at(p->seed, now_ms) % (uint32_t)(2 * p->noise_raw + 1)) - p->noise_raw;
    long r = raw < 0 ? 0 : (long)(raw + 0.5);
    return r > 1023 ? 1023 : (int)r;
}

int sim_plant_float_raw(const scn_plant_t *p) { return p->tank_ml < p->empty_below_ml ? 0 : 1; }

static int32_t series_at(const scn_input_t *in, uint32_t now_ms)
{
    if (now_ms <= in->t_ms[0] || in->n == 1) return in->v[0];
    for (uint8_t k = 1; k < in->n; k++) {
        if (now_ms >= in->t_ms[k]) continue;
        if (in->steps) return in->v[k - 1];
        int64_t dt = (int64_t)now_ms - in->t_ms[k - 1], span = (int64_t)in->t_ms[k] - in->t_ms[k - 1];
        return in->v[k - 1] + (int32_t)((in->v[k] - in->v[k - 1]) * dt / span);
    }
    return in->v[in->n - 1];
}

int32_t sim_scenario_value(sim_scenario_t *s, uint8_t i, uint32_t now_ms)
{
    scn_input_t *in = &s->in[i];
    if (in->source == SCN_PLANT_SOIL) return sim_plant_soil_raw(&s->plant, now_ms);
    if (in->source == SCN_PLANT_FLOAT) return sim_plant_float_raw(&s->plant);
    return series_at(in, now_ms);
}

int32_t sim_probe_milli_c(const sim_scenario_t *s, uint8_t i, uint32_t now_ms)
{
    return series_at(&s->probe[i].temp, now_ms);
}

int32_t sim_dht_milli(const sim_scenario_t *s, uint8_t i, int rh, uint32_t now_ms)
{
    return series_at(rh ? &s->dht[i].rh : &s->dht[i].temp, now_ms);
}

int sim_probe_fault(const sim_scenario_t *s, uint8_t pin, uint32_t now_ms)
{
    for (uint8_t i = 0; i < s->n_faults; i++) {
        const scn_fault_t *f = &s->fault[i];
        if (f->pin == pin && now_ms >= f->from_ms && now_ms < f->until_ms) return f->kind;
    }
    return SCN_FAULT_NONE;
}

int32_t sim_scenario_counts(sim_scenario_t *s, uint8_t i, uint32_t now_ms, uint8_t adc_bits)
{
    int32_t v = sim_scenario_value(s, i, now_ms);
    if (s->in[i].digital) return v;
    return adc_bits >= SCN_ADC_BITS ? v << (adc_bits - SCN_ADC_BITS) : v >> (SCN_ADC_BITS - adc_bits);
}

int sim_scenario_advance(sim_scenario_t *s, uint64_t now_ms, double ms, int pump_on)
{
    scn_plant_t *p = &s->plant;
    if (!p->enabled) return 0;
    sim_plant_advance(p, ms, pump_on);
    if (p->refill_ml > 0 && !p->refilled && now_ms >= p->refill_at_ms) {
        p->tank_ml += p->refill_ml;
        p->refilled = 1;
        return 1;
    }
    return 0;
}
