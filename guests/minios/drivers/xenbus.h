/* xenbus.h: minios's xenstore client (PV only; drivers/xenbus.c). */
#ifndef MINIOS_XENBUS_H
#define MINIOS_XENBUS_H

#include <stdint.h>

typedef uint32_t xenbus_transaction_t;   /* 0: no transaction */
#define XBT_NIL 0

int  xenbus_init(void);                  /* 0 once xenstored answers, < 0 if it does not */
int  xenbus_read(xenbus_transaction_t t, const char *path, char *buf, uint32_t size);   /* length, or -errno */
int  xenbus_write(xenbus_transaction_t t, const char *path, const char *value);
int  xenbus_rm(xenbus_transaction_t t, const char *path);
int  xenbus_directory(xenbus_transaction_t t, const char *path, char *buf, uint32_t size); /* names, \0-separated */
int  xenbus_watch(const char *path, const char *token);
int  xenbus_unwatch(const char *path, const char *token);
int  xenbus_transaction_start(xenbus_transaction_t *t);
int  xenbus_transaction_end(xenbus_transaction_t t, int abort);   /* -XEN_EAGAIN: retry the transaction */
int  xenbus_read_int(xenbus_transaction_t t, const char *path, long *value);
/* A watch event that has arrived (1), or none (0). Events are also read while waiting for replies. */
int  xenbus_event(char *path, uint32_t path_size, char *token, uint32_t token_size);
void xenbus_poll(void);                  /* reads whatever the ring holds (events) without blocking */
int  xenbus_ready(void);
/* After a "control/shutdown" request from the toolstack: SHUTDOWN_poweroff/reboot, else -1. */
int  xenbus_shutdown_request(void);
void xenbus_tests(void);

#endif
