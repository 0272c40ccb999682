/* policy.h -- being written. */
