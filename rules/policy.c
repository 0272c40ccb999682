/* policy.c -- stub, being written. */
#include "config.h"
