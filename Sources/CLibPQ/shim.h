#ifndef KNOWHOW_CLIBPQ_SHIM_H
#define KNOWHOW_CLIBPQ_SHIM_H
// Debian's libpq-dev puts the header under postgresql/; pkg-config names the folder.
#include <postgresql/libpq-fe.h>
#endif
