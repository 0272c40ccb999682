/* intake.h -- being written. */
