/* thread.h -- being written. */
