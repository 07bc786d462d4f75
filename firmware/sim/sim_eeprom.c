/* sim_eeprom.c: see sim_eeprom.h. */
#define _XOPEN_SOURCE 700
#include "sim_eeprom.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <simavr/sim_io.h>
#include <simavr/sim_regbit.h>

static sim_eeprom_t *g_eeprom; /* simavr's io write hook carries one param: the wrapped module's */

static void on_eecr_write(avr_t *avr, avr_io_addr_t addr, uint8_t v, void *param)
{
    (void)param;
    sim_eeprom_t *e = g_eeprom;
    avr_eeprom_t *ee = e->ee;
    /* The same test simavr's handler makes: EEPE written while EEMPE is still set is one byte write. */
    int writing = avr_regbit_get(avr, ee->eempe) && (v & (1u << ee->eepe.bit));
    uint16_t at = ee->r_eearh ? (uint16_t)(avr->data[ee->r_eearl] | avr->data[ee->r_eearh] << 8)
                              : avr->data[ee->r_eearl];
    e->orig(avr, addr, v, e->orig_param);
    if (!writing || at >= e->size) return;
    e->writes++;
    if (e->fd >= 0 && pwrite(e->fd, &e->mem[at], 1, at) != 1 && !e->io_error) e->io_error = errno ? errno : EIO;
    if (e->cut_at && e->writes >= e->cut_at) *e->halt = 1;
}

int sim_eeprom_attach(sim_eeprom_t *e, avr_t *avr, const char *path, uint64_t cut_at, volatile int *halt)
{
    memset(e, 0, sizeof *e);
    e->avr = avr;
    e->fd = -1;
    e->cut_at = cut_at;
    e->halt = halt;
    for (avr_io_t *io = avr->io_port; io; io = io->next)
        if (io->kind && strcmp(io->kind, "eeprom") == 0) e->ee = (avr_eeprom_t *)io;
    if (!e->ee) {
        errno = ENODEV;
        return -1;
    }
    /* EEPROM_GET with no buffer hands out simavr's own array (its GET/SET refuse the full size). */
    avr_eeprom_desc_t desc = { .ee = NULL, .offset = 0, .size = 0 };
    avr_ioctl(avr, AVR_IOCTL_EEPROM_GET, &desc);
    e->mem = desc.ee;
    e->size = e->ee->size;
    if (!e->mem) {
        errno = ENODEV;
        return -1;
    }
    if (path) {
        e->fd = open(path, O_RDWR | O_CREAT, 0644);
        if (e->fd < 0) return -1;
        /* A new (empty) file keeps what the chip has: erased (0xFF) or the .elf's .eeprom section.
         * A short file is the start of the EEPROM; the rest reads erased. */
        uint8_t buf[4096];
        ssize_t n = pread(e->fd, buf, e->size <= sizeof buf ? e->size : sizeof buf, 0);
        if (n < 0) return -1;
        if (n > 0) {
            memset(e->mem, 0xFF, e->size);
            memcpy(e->mem, buf, (size_t)n);
        }
        if (n < (ssize_t)e->size && sim_eeprom_save(e) < 0) return -1;
    }
    avr_io_addr_t io = AVR_DATA_TO_IO(e->ee->r_eecr);
    e->orig = avr->io[io].w.c;
    e->orig_param = avr->io[io].w.param;
    if (!e->orig) {
        errno = ENODEV;
        return -1;
    }
    g_eeprom = e;
    avr->io[io].w.c = on_eecr_write;
    return 0;
}

int sim_eeprom_save(sim_eeprom_t *e)
{
    if (e->fd < 0) return 0;
    if (pwrite(e->fd, e->mem, e->size, 0) != (ssize_t)e->size) return -1;
    return fsync(e->fd);
}

void sim_eeprom_close(sim_eeprom_t *e)
{
    if (e->fd >= 0) close(e->fd);
    e->fd = -1;
}
