/* mailfile.h -- being written. */
