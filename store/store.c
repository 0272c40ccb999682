/* store.c -- stub, being written. */
#include "config.h"
