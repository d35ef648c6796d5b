"""faka on one machine: an embedded AWS emulator (moto) running the same handlers as Lambda would."""
