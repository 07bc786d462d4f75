/* sim_eeprom.h: the chip's EEPROM kept in a file, and counted writes for power cuts.
 *
 * The file is loaded at start (missing: an erased chip, all 0xFF), every byte the chip writes goes to
 * the file at once (so a killed runner keeps it), and the whole array is saved again at exit.
 */
#ifndef SIM_EEPROM_H
#define SIM_EEPROM_H

#include <stdint.h>

#include <simavr/avr_eeprom.h>
#include <simavr/sim_avr.h>

typedef struct {
    avr_t *avr;
    avr_eeprom_t *ee;     /* simavr's EEPROM module */
    avr_io_write_t orig;  /* its EECR write handler, which we wrap */
    void *orig_param;
    int fd;               /* -1: no file, the EEPROM lives only as long as the run */
    uint8_t *mem;         /* simavr's EEPROM array */
    uint16_t size;
    uint64_t writes;      /* byte writes (EEPE strobes) since start */
    uint64_t cut_at;      /* stop after this many writes; 0: never */
    volatile int *halt;   /* set to 1 when the cut happens */
    int io_error;         /* first errno from the file, 0 if none */
} sim_eeprom_t;

/* Load path (may be NULL) into the chip's EEPROM and hook its writes. 0 on success, else -1 + errno. */
int sim_eeprom_attach(sim_eeprom_t *e, avr_t *avr, const char *path, uint64_t cut_at, volatile int *halt);
/* Write the whole array to the file (at exit; each write also goes through at once). */
int sim_eeprom_save(sim_eeprom_t *e);
void sim_eeprom_close(sim_eeprom_t *e);

#endif
